using KafkaActors.Cli.CommandLine;
using KafkaActors.Settings;

namespace KafkaActors.Cli.Configuration;

/// <summary>Parses <c>key=value</c> command-line arguments (split at the first '=', so values may contain '=').</summary>
internal static class KeyValue
{
    /// <exception cref="UsageException">No '=' or an empty key.</exception>
    public static KeyValuePair<string, string> Parse(string argument, string option)
    {
        var equals = argument.IndexOf('=');
        if (equals <= 0 || argument[..equals].Trim().Length == 0)
            throw new UsageException($"Invalid property '{Printable(argument)}' for {option}: expected key=value.");
        return new(argument[..equals].Trim(), argument[(equals + 1)..]);
    }

    /// <summary>A malformed argument may still hold a secret (<c>ssl.key.password:hunter2</c>): then it is not echoed.</summary>
    private static string Printable(string argument) =>
        new[] { "password", "secret", "jaas", "ssl.keystore.key" }.Any(word => argument.Contains(word, StringComparison.OrdinalIgnoreCase))
            ? ProducerConfig.Hidden
            : argument;

    public static Dictionary<string, string> ParseAll(IEnumerable<string> arguments, string option)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            var (key, value) = Parse(argument, option);
            result[key] = value;
        }
        return result;
    }
}
