namespace KafkaActors.Cli.Produce;

/// <summary>One input line as a record: headers (null for none), key and value; null key or value is a Kafka null.</summary>
internal sealed record ParsedLine(Headers? Headers, string? Key, string? Value);

/// <summary>
/// Turns one input line into headers, key and value, like Kafka's <c>LineMessageReader</c>. With <c>parse.headers</c>
/// the text before the first <c>headers.delimiter</c> is the header list (<c>h1:v1,h2:v2</c>); then, with <c>parse.key</c>,
/// the text up to the next <c>key.separator</c> is the key; the rest is the value. A missing delimiter or separator is an
/// error, or (with <c>ignore.error</c>) that part is absent: no headers, a null key, a header with a null value.
/// A key, value, header value or whole header list equal to <c>null.marker</c> is null (a header key may not be).
/// Stateless apart from its immutable properties.
/// </summary>
internal sealed class LineParser(LineReaderProperties properties)
{
    /// <returns>Null on success; otherwise the error message, naming the line.</returns>
    public string? TryParse(string line, long lineNumber, out ParsedLine parsed)
    {
        parsed = new ParsedLine(null, null, line);
        if (!TryPart(properties.ParseHeaders, line, 0, properties.HeadersDelimiter, "headers delimiter", lineNumber, out var headerList, out var error))
            return error;
        var headerOffset = headerList is null ? 0 : headerList.Length + properties.HeadersDelimiter.Length;
        if (!TryPart(properties.ParseKey, line, headerOffset, properties.KeySeparator, "key separator", lineNumber, out var key, out error))
            return error;
        var keyOffset = key is null ? 0 : key.Length + properties.KeySeparator.Length;
        var value = line[(headerOffset + keyOffset)..];

        Headers? headers = null;
        if (headerList is not null && headerList != properties.NullMarker && (error = TrySplitHeaders(headerList, lineNumber, out headers)) is not null)
            return error;
        parsed = new ParsedLine(headers, key == properties.NullMarker ? null : key, value == properties.NullMarker ? null : value);
        return null;
    }

    /// <summary>Kafka's <c>parse</c>: the text from <paramref name="start"/> to <paramref name="demarcation"/>, or null when off.</summary>
    private bool TryPart(bool enabled, string line, int start, string demarcation, string name, long lineNumber, out string? part, out string? error)
    {
        part = null;
        error = null;
        if (!enabled) return true;
        var index = line.IndexOf(demarcation, start, StringComparison.Ordinal);
        if (index >= 0)
        {
            part = line[start..index];
            return true;
        }
        if (properties.IgnoreError) return true;
        error = $"No {name} found on line number {lineNumber}: '{line}'";
        return false;
    }

    private string? TrySplitHeaders(string headerList, long lineNumber, out Headers? headers)
    {
        headers = new Headers();
        foreach (var pair in JavaSplit(headerList))
        {
            var i = pair.IndexOf(properties.HeadersKeySeparator, StringComparison.Ordinal);
            if (i < 0)
            {
                if (!properties.IgnoreError) return $"No header key separator found in pair '{pair}' on line number {lineNumber}";
                headers.Add(pair, (byte[]?)null);
                continue;
            }
            var headerKey = pair[..i];
            if (headerKey == properties.NullMarker)
                return $"Header keys should not be equal to the null marker '{properties.NullMarker}' as they can't be null";
            var headerValue = pair[(i + properties.HeadersKeySeparator.Length)..];
            headers.Add(headerKey, headerValue == properties.NullMarker ? null : headerValue);
        }
        return null;
    }

    /// <summary>Java's <c>Pattern.split(input)</c>: like .NET's, but trailing empty strings are dropped.</summary>
    private IEnumerable<string> JavaSplit(string input)
    {
        if (input.Length == 0) return [input];
        var parts = properties.HeadersSeparatorPattern.Split(input);
        var count = parts.Length;
        while (count > 0 && parts[count - 1].Length == 0) count--;
        return parts.Take(count);
    }
}
