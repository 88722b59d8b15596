namespace KafkaActors.Cli.Produce;

/// <summary>
/// Turns one input line into a key and value, like Kafka's <c>LineMessageReader</c>: the whole line is the
/// value unless <c>parse.key</c> is on; then the text before the first separator is the key. A line without
/// the separator is an error, or (with <c>ignore.error</c>) a record with a null key and the line as value.
/// </summary>
internal sealed class LineParser(LineReaderProperties properties)
{
    /// <returns>Null on success; otherwise the error message, naming the line.</returns>
    public string? TryParse(string line, long lineNumber, out string? key, out string value)
    {
        key = null;
        value = line;
        if (!properties.ParseKey) return null;

        var separator = line.IndexOf(properties.KeySeparator, StringComparison.Ordinal);
        if (separator < 0)
            return properties.IgnoreError ? null : $"No key separator found on line number {lineNumber}: '{line}'";
        key = line[..separator];
        value = line[(separator + properties.KeySeparator.Length)..];
        return null;
    }
}
