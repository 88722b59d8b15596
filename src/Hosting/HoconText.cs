using System.Text;
using Akka.Configuration;
using KafkaActors.Errors;
using C = KafkaActors.Settings.ProducerConfig;

namespace KafkaActors.Hosting;

/// <summary>
/// Java property names and values to HOCON and back. A Java name such as <c>linger.ms</c> is a HOCON
/// path (linger → ms), so the names are written unquoted and the values always quoted.
/// </summary>
internal static class HoconText
{
    /// <summary>The settings whose value is a list: HOCON arrays, comma-separated in property form.</summary>
    private static readonly HashSet<string> ListKeys = new(StringComparer.Ordinal) { C.InterceptorClasses, "metric.reporters" };

    public static bool IsList(string key) => ListKeys.Contains(key);

    /// <summary>
    /// Rejects names that cannot be a producer setting before they reach the HOCON parser, whose errors
    /// would not name the key. Whether the name is a known setting is checked by ProducerSettings.
    /// </summary>
    public static void CheckKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0 || key[0] == '.' || key[^1] == '.' || key.Contains("..", StringComparison.Ordinal)
            || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            throw ConfigException.Unknown(key);
    }

    /// <summary>A HOCON block at <paramref name="path"/> holding <paramref name="properties"/>; empty for no properties.</summary>
    public static Config ToConfig(string path, IReadOnlyDictionary<string, string> properties)
    {
        if (properties.Count == 0) return Config.Empty;
        var hocon = new StringBuilder();
        hocon.Append(path).Append(" {\n");
        foreach (var (key, value) in properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            CheckKey(key);
            hocon.Append("  ").Append(key).Append(" = ");
            if (IsList(key))
            {
                var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                hocon.Append('[').AppendJoin(", ", items.Select(Quote)).Append(']');
            }
            else
            {
                hocon.Append(Quote(value));
            }
            hocon.Append('\n');
        }
        hocon.Append("}\n");
        return ConfigurationFactory.ParseString(hocon.ToString());
    }

    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t") + "\"";
}
