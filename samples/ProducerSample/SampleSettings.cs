using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ProducerSample;

/// <summary>
/// What to run, from the command line (<c>--bootstrap-servers</c>, <c>--topic</c>, <c>--records</c>,
/// <c>--seconds</c>) or the environment (<c>KAFKA_BOOTSTRAP_SERVERS</c>).
/// </summary>
public sealed record SampleSettings(string? BootstrapServers, string Topic, int Records, TimeSpan Duration, string RunId)
{
    public const int Partitions = 3;

    public static SampleSettings From(IConfiguration configuration)
    {
        var bootstrap = configuration["bootstrap-servers"] ?? configuration["KAFKA_BOOTSTRAP_SERVERS"];
        return new SampleSettings(
            string.IsNullOrWhiteSpace(bootstrap) ? null : bootstrap,
            configuration["topic"] ?? "orders",
            int.TryParse(configuration["records"], out var records) && records > 0 ? records : 10_000,
            TimeSpan.FromSeconds(double.TryParse(configuration["seconds"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : 5),
            Guid.NewGuid().ToString("N")[..8]);
    }

    /// <summary>Each order's value: JSON naming the run and the path it took, so the read-back counts only this run.</summary>
    public string OrderJson(string source, int n) =>
        $$"""{"run":"{{RunId}}","source":"{{source}}","orderId":"{{source[0]}}-{{n:D6}}","amount":{{((n % 997) * 1.25m).ToString(CultureInfo.InvariantCulture)}}}""";

    /// <summary>Orders of one customer share a key, and so a partition: they stay in order.</summary>
    public static string CustomerKey(int n) => $"customer-{n % 50:D2}";
}
