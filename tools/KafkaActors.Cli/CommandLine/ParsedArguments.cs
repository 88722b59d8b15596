using System.Globalization;

namespace KafkaActors.Cli.CommandLine;

/// <summary>The options found on a command line, with typed accessors that report bad values as <see cref="UsageException"/>.</summary>
internal sealed class ParsedArguments(IReadOnlyDictionary<string, List<string>> values)
{
    public bool Has(string name) => values.ContainsKey(name);

    /// <summary>Every value given for the option, in command-line order (empty when absent).</summary>
    public IReadOnlyList<string> All(string name) => values.TryGetValue(name, out var list) ? list : [];

    /// <summary>The option's value (the last one when given twice), or null when absent.</summary>
    public string? String(string name) => values.TryGetValue(name, out var list) && list.Count > 0 ? list[^1] : null;

    public string RequiredString(string name) => String(name) ?? throw new UsageException($"Missing required option {name}.");

    public long? Long(string name) => Parse(name, "an integer", (string s, out long v) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v));

    public int? Int(string name) => Parse(name, "an integer", (string s, out int v) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v));

    public double? Double(string name) => Parse(name, "a number", (string s, out double v) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && double.IsFinite(v));

    private delegate bool TryParser<T>(string text, out T value);

    private T? Parse<T>(string name, string expected, TryParser<T> parser) where T : struct
    {
        var text = String(name);
        if (text is null) return null;
        if (!parser(text.Trim(), out var value))
            throw new UsageException($"Invalid value '{text}' for {name}: expected {expected}.");
        return value;
    }
}
