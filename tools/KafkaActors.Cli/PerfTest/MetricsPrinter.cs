using System.Globalization;

namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Kafka's <c>ToolsUtils.printMetrics</c>: a header, then one line per metric, sorted by its display name
/// <c>group:name:{tags}</c>, padded to the longest, with the value to three decimals.
/// </summary>
internal static class MetricsPrinter
{
    private const string Group = "producer-metrics";

    public static void Print(TextWriter output, IReadOnlyDictionary<string, double> metrics, string clientId)
    {
        if (metrics.Count == 0) return;
        var lines = metrics
            .Select(m => (Name: $"{Group}:{m.Key}:{{client-id={clientId}}}", m.Value))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        var width = lines.Max(m => m.Name.Length);
        output.WriteLine();
        output.WriteLine($"{"Metric Name".PadRight(width)}   Value");
        foreach (var (name, value) in lines)
            output.WriteLine($"{name.PadRight(width)} : {value.ToString("F3", CultureInfo.InvariantCulture)}");
    }
}
