using System.Globalization;

namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Kafka's <c>ToolsUtils.printMetrics</c>: a header, then one line per metric, sorted by its display name
/// <c>group:name:{tags}</c>, padded to the longest, with the value to three decimals. A metric keyed
/// <c>name{topic=t}</c> or <c>name{node-id=n}</c> by MetricValues() is printed in Java's producer-topic-metrics
/// or producer-node-metrics group with that tag after the client-id. Thread-safe (stateless).
/// </summary>
internal static class MetricsPrinter
{
    private static string DisplayName(string key, string clientId)
    {
        var open = key.IndexOf('{');
        if (open < 0 || key[^1] != '}') return $"producer-metrics:{key}:{{client-id={clientId}}}";
        var tag = key[(open + 1)..^1];
        var group = tag.StartsWith("topic=", StringComparison.Ordinal) ? "producer-topic-metrics" : "producer-node-metrics";
        return $"{group}:{key[..open]}:{{client-id={clientId}, {tag}}}";
    }

    public static void Print(TextWriter output, IReadOnlyDictionary<string, double> metrics, string clientId)
    {
        if (metrics.Count == 0) return;
        var lines = metrics
            .Select(m => (Name: DisplayName(m.Key, clientId), m.Value))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        var width = lines.Max(m => m.Name.Length);
        output.WriteLine();
        output.WriteLine($"{"Metric Name".PadRight(width)}   Value");
        foreach (var (name, value) in lines)
            output.WriteLine($"{name.PadRight(width)} : {value.ToString("F3", CultureInfo.InvariantCulture)}");
    }
}
