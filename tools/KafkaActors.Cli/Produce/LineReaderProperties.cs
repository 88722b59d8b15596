using KafkaActors.Cli.CommandLine;
using KafkaActors.Cli.Configuration;

namespace KafkaActors.Cli.Produce;

/// <summary>
/// The <c>--property</c> settings of the line reader, as Kafka's console producer names them:
/// <c>parse.key</c>, <c>key.separator</c> and <c>ignore.error</c>.
/// </summary>
internal sealed record LineReaderProperties(bool ParseKey, string KeySeparator, bool IgnoreError)
{
    public const string ParseKeyName = "parse.key";
    public const string KeySeparatorName = "key.separator";
    public const string IgnoreErrorName = "ignore.error";

    public static LineReaderProperties From(IEnumerable<string> arguments, string option)
    {
        var parsed = new LineReaderProperties(ParseKey: false, KeySeparator: "\t", IgnoreError: false);
        foreach (var (key, value) in KeyValue.ParseAll(arguments, option))
        {
            parsed = key switch
            {
                ParseKeyName => parsed with { ParseKey = Bool(key, value, option) },
                IgnoreErrorName => parsed with { IgnoreError = Bool(key, value, option) },
                KeySeparatorName when value.Length == 0 => throw new UsageException($"{option} {KeySeparatorName} must not be empty."),
                KeySeparatorName => parsed with { KeySeparator = value },
                _ => throw new UsageException(
                    $"Unknown {option} '{key}': supported are {ParseKeyName}, {KeySeparatorName} and {IgnoreErrorName}."),
            };
        }
        return parsed;
    }

    private static bool Bool(string key, string value, string option) => value.Trim().ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw new UsageException($"Invalid value '{value}' for {option} {key}: expected true or false."),
    };
}
