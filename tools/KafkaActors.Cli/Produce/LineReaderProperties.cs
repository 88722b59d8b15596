using System.Text.RegularExpressions;
using KafkaActors.Cli.CommandLine;
using KafkaActors.Cli.Configuration;

namespace KafkaActors.Cli.Produce;

/// <summary>
/// The <c>--property</c> settings of the line reader, named and defaulted as in Kafka's <c>LineMessageReader</c>:
/// <c>parse.key</c>, <c>key.separator</c>, <c>parse.headers</c>, <c>headers.delimiter</c>, <c>headers.separator</c>
/// (a regular expression, as Java's <c>Pattern</c>), <c>headers.key.separator</c>, <c>null.marker</c> and
/// <c>ignore.error</c>. Separators that would make a line ambiguous are refused, as Kafka refuses them. Immutable.
/// </summary>
internal sealed record LineReaderProperties(
    bool ParseKey,
    string KeySeparator,
    bool IgnoreError,
    bool ParseHeaders = false,
    string HeadersDelimiter = "\t",
    string HeadersSeparator = ",",
    string HeadersKeySeparator = ":",
    string? NullMarker = null)
{
    public const string ParseKeyName = "parse.key";
    public const string KeySeparatorName = "key.separator";
    public const string IgnoreErrorName = "ignore.error";
    public const string ParseHeadersName = "parse.headers";
    public const string HeadersDelimiterName = "headers.delimiter";
    public const string HeadersSeparatorName = "headers.separator";
    public const string HeadersKeySeparatorName = "headers.key.separator";
    public const string NullMarkerName = "null.marker";

    // ExplicitCapture: .NET's Split would also return what a group captured; Java's never does.
    private const RegexOptions PatternOptions = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    private static readonly string[] Names =
        [ParseKeyName, KeySeparatorName, ParseHeadersName, HeadersDelimiterName, HeadersSeparatorName, HeadersKeySeparatorName, NullMarkerName, IgnoreErrorName];

    /// <summary><see cref="HeadersSeparator"/> compiled once (Kafka splits the header list with <c>Pattern.split</c>).</summary>
    public Regex HeadersSeparatorPattern { get; private init; } = new(",", PatternOptions);

    public static LineReaderProperties From(IEnumerable<string> arguments, string option)
    {
        var parsed = new LineReaderProperties(ParseKey: false, KeySeparator: "\t", IgnoreError: false);
        foreach (var (key, value) in KeyValue.ParseAll(arguments, option))
        {
            parsed = key switch
            {
                ParseKeyName => parsed with { ParseKey = Bool(key, value, option) },
                ParseHeadersName => parsed with { ParseHeaders = Bool(key, value, option) },
                IgnoreErrorName => parsed with { IgnoreError = Bool(key, value, option) },
                KeySeparatorName => parsed with { KeySeparator = NotEmpty(key, value, option) },
                HeadersDelimiterName => parsed with { HeadersDelimiter = NotEmpty(key, value, option) },
                HeadersSeparatorName => parsed with { HeadersSeparator = NotEmpty(key, value, option) },
                HeadersKeySeparatorName => parsed with { HeadersKeySeparator = NotEmpty(key, value, option) },
                NullMarkerName => parsed with { NullMarker = value },
                _ => throw new UsageException($"Unknown {option} '{key}': supported are {string.Join(", ", Names)}."),
            };
        }
        parsed.Validate(option);
        return parsed with { HeadersSeparatorPattern = Pattern(parsed.HeadersSeparator, option) };
    }

    /// <summary>Kafka's <c>LineMessageReader.configure</c> checks, in its order and with its messages.</summary>
    private void Validate(string option)
    {
        Distinct(HeadersDelimiter, HeadersSeparator, HeadersDelimiterName, HeadersSeparatorName, option);
        Distinct(HeadersDelimiter, HeadersKeySeparator, HeadersDelimiterName, HeadersKeySeparatorName, option);
        Distinct(HeadersSeparator, HeadersKeySeparator, HeadersSeparatorName, HeadersKeySeparatorName, option);
        if (NullMarker is null) return;
        Distinct(NullMarker, KeySeparator, NullMarkerName, KeySeparatorName, option);
        Distinct(NullMarker, HeadersSeparator, NullMarkerName, HeadersSeparatorName, option);
        Distinct(NullMarker, HeadersDelimiter, NullMarkerName, HeadersDelimiterName, option);
        Distinct(NullMarker, HeadersKeySeparator, NullMarkerName, HeadersKeySeparatorName, option);
    }

    private static void Distinct(string a, string b, string aName, string bName, string option)
    {
        if (a == b) throw new UsageException($"{option} {aName} and {bName} may not be equal.");
    }

    private static Regex Pattern(string separator, string option)
    {
        try
        {
            return new Regex(separator, PatternOptions);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"Invalid {option} {HeadersSeparatorName} '{separator}': not a regular expression ({e.Message}).");
        }
    }

    private static string NotEmpty(string key, string value, string option) =>
        value.Length == 0 ? throw new UsageException($"{option} {key} must not be empty.") : value;

    private static bool Bool(string key, string value, string option) => value.Trim().ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw new UsageException($"Invalid value '{value}' for {option} {key}: expected true or false."),
    };
}
