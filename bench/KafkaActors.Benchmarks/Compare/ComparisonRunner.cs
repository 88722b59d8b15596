using System.Globalization;
using KafkaActors.Testing;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// Runs every workload with both clients against one embedded cluster (3 brokers, 8-partition topics,
/// a fresh topic per run) in one process, and prints one table with the KafkaActors / Confluent ratios.
/// </summary>
public static class ComparisonRunner
{
    public static async Task<int> Run(string[] args)
    {
        var scale = double.Parse(Option(args, "--scale") ?? "1", CultureInfo.InvariantCulture);
        var only = Option(args, "--workloads")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var workloads = Workload.All(scale).Where(w => only is null || only.Contains(w.Name, StringComparer.OrdinalIgnoreCase)).ToList();

        LibRdKafka.EnsureLoaded();
        using var kafka = EmbeddedKafka.Start(3);
        Console.WriteLine($"# KafkaActors vs Confluent.Kafka {typeof(Confluent.Kafka.Library).Assembly.GetName().Version} on librdkafka's mock cluster ({kafka.BootstrapServers})");
        Console.WriteLine($"# {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, scale {scale}");

        var rows = new List<(Workload Workload, RunResult Ours, RunResult Theirs)>();
        foreach (var workload in workloads)
        {
            Console.Error.WriteLine($"{workload.Name}: {workload.Description}, {workload.Records:N0} records ...");
            Action<int> setRtt = ms => kafka.SetBrokerRtt(EmbeddedKafka.AllBrokers, ms);
            var ours = await KafkaActorsClient.Run(kafka.BootstrapServers, Topic(kafka, workload, "ka"), workload, setRtt);
            var theirs = await ConfluentClient.Run(kafka.BootstrapServers, Topic(kafka, workload, "cf"), workload, setRtt);
            rows.Add((workload, ours, theirs));
        }

        Console.WriteLine();
        Console.WriteLine("| workload | client | msg/s | MB/s | p50 ms | p99 ms | B alloc/record | gen0/1/2 | failed |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---|---:|");
        foreach (var (workload, ours, theirs) in rows)
        {
            Print(workload, ours);
            Print(workload, theirs);
            Console.WriteLine(Invariant($"| {workload.Name} | **ratio KafkaActors/Confluent** | **{ours.MessagesPerSecond / theirs.MessagesPerSecond:F2}×** | | {Ratio(ours.P50Ms, theirs.P50Ms)} | {Ratio(ours.P99Ms, theirs.P99Ms)} | | | |"));
        }
        Console.WriteLine();
        foreach (var w in workloads) Console.WriteLine($"- {w.Name}: {w.Description}; {w.Records:N0} records.");
        Console.WriteLine("- Both: acks=all, the same linger.ms, batch.size, compression and idempotence, 32 MiB of buffer memory, 5 requests in flight, socket buffers left to the OS, delivery callbacks (1 in 16 records timed for latency), a warm-up first (half of it against slow brokers, so each client's buffer memory fills up and is allocated before measuring), so both run in their steady state.");
        return rows.Any(r => r.Ours.Failed > 0 || r.Theirs.Failed > 0) ? 1 : 0;
    }

    private static void Print(Workload workload, RunResult r) =>
        Console.WriteLine(Invariant($"| {workload.Name} | {r.Client} | {r.MessagesPerSecond:N0} | {r.MegabytesPerSecond:F1} | {r.P50Ms:F1} | {r.P99Ms:F1} | {r.AllocatedBytesPerRecord:F1} | {r.Gen0}/{r.Gen1}/{r.Gen2} | {r.Failed} |"));

    private static string Ratio(double ours, double theirs) => theirs <= 0 ? "" : Invariant($"{ours / theirs:F2}×");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Topic(EmbeddedKafka kafka, Workload workload, string client)
    {
        var topic = $"bench-{workload.Name}-{client}-{Guid.NewGuid():N}";
        kafka.CreateTopic(topic, 8, 1);
        return topic;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
