using System.Globalization;
using KafkaActors.Testing;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// Runs every workload with both clients against one embedded cluster (3 brokers, 8-partition topics,
/// a fresh topic per run) in one process, and prints one table with the KafkaActors / Confluent ratios.
/// A workload through the secure front (TLS or relay only) gets a fresh cluster of its own behind one.
/// </summary>
public static class ComparisonRunner
{
    public static async Task<int> Run(string[] args)
    {
        var scale = double.Parse(Option(args, "--scale") ?? "1", CultureInfo.InvariantCulture);
        var only = Option(args, "--workloads")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var workloads = Workload.All(scale).Where(w => only is null || only.Contains(w.Name, StringComparer.OrdinalIgnoreCase)).ToList();

        // --trace: what tracing costs while someone listens (every span recorded, none exported); Confluent has none.
        using var listener = args.Contains("--trace") ? ListenToKafkaActorsSpans() : null;
        using var allocations = args.Contains("--alloc-types") ? AllocationProfile.Start() : null;

        LibRdKafka.EnsureLoaded();
        using var kafka = EmbeddedKafka.Start(3);
        Console.WriteLine($"# KafkaActors vs Confluent.Kafka {typeof(Confluent.Kafka.Library).Assembly.GetName().Version} on librdkafka's mock cluster ({kafka.BootstrapServers})");
        Console.WriteLine($"# {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, scale {scale}");
        if (listener is not null) Console.WriteLine("# tracing on: an ActivityListener records every KafkaActors span (W3C traceparent in every record's headers)");

        var rows = new List<(Workload Workload, RunResult Ours, RunResult Theirs)>();
        var jitWarmed = new HashSet<Transport>();
        foreach (var workload in workloads)
        {
            Console.Error.WriteLine($"{workload.Name}: {workload.Description}, {workload.Records:N0} records ...");
            using var endpoint = Endpoint.For(workload.Transport, kafka);
            Action<int> setRtt = ms => endpoint.Cluster.SetBrokerRtt(EmbeddedKafka.AllBrokers, ms);
            if (jitWarmed.Add(workload.Transport))
            {
                // Tiered JIT: the first run in the process, and the first over a new transport, would otherwise be
                // measured partly on unoptimized code. So each client runs once unmeasured (its warm-up and a few records).
                var unmeasured = workload with { Records = 1000 };
                await KafkaActorsClient.Run(endpoint, Topic(endpoint.Cluster, workload, "ka-jit"), unmeasured, setRtt);
                await ConfluentClient.Run(endpoint, Topic(endpoint.Cluster, workload, "cf-jit"), unmeasured, setRtt);
            }
            var ours = await KafkaActorsClient.Run(endpoint, Topic(endpoint.Cluster, workload, "ka"), workload, setRtt);
            var theirs = await ConfluentClient.Run(endpoint, Topic(endpoint.Cluster, workload, "cf"), workload, setRtt);
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
        PrintTlsSummary(rows);
        Console.WriteLine();
        foreach (var w in workloads) Console.WriteLine($"- {w.Name}: {w.Description}; {w.Records:N0} records.");
        Console.WriteLine("- Both: acks=all, the same linger.ms, batch.size, compression and idempotence, 32 MiB of buffer memory, 5 requests in flight, socket buffers left to the OS, delivery callbacks (1 in 16 records timed for latency), a warm-up first (half of it against slow brokers, so each client's buffer memory fills up and is allocated before measuring; before the first workload over each transport, a second one for the tiered JIT), so both run in their steady state.");
        if (workloads.Any(w => w.TransactionMs > 0))
            Console.WriteLine("- Transactional (W6): each client with its own transactional.id, InitTransactions before the warm-up; a transaction begun before the first record and committed, with the blocking CommitTransaction on the sending thread, after the send that finds it at least 100 ms old (Kafka's ProducerPerformance rule), and after the last record; the warm-up runs in transactions too.");
        if (workloads.Any(w => w.Transport != Transport.Direct))
            Console.WriteLine("- Through the front (W1-TLS, W1-RELAY): one relay per broker in this process, so its cost (and the server side of TLS) shares the CPU with the client; both clients trust the test CA (ssl.truststore.type=PEM / ssl.ca.location) and verify the host name; the TLS version is the OS's choice.");
        return rows.Any(r => r.Ours.Failed > 0 || r.Theirs.Failed > 0) ? 1 : 0;
    }

    private static void Print(Workload workload, RunResult r) =>
        Console.WriteLine(Invariant($"| {workload.Name} | {r.Client} | {r.MessagesPerSecond:N0} | {r.MegabytesPerSecond:F1} | {r.P50Ms:F1} | {r.P99Ms:F1} | {r.AllocatedBytesPerRecord:F1} | {r.Gen0}/{r.Gen1}/{r.Gen2} | {r.Failed} |"));

    /// <summary>The targets: KafkaActors over TLS at ≥ 0.7× its plaintext W1, and ahead of Confluent.Kafka over TLS.</summary>
    private static void PrintTlsSummary(List<(Workload Workload, RunResult Ours, RunResult Theirs)> rows)
    {
        var byName = rows.ToDictionary(r => r.Workload.Name, StringComparer.OrdinalIgnoreCase);
        if (!byName.TryGetValue("W1-TLS", out var tls)) return;
        Console.WriteLine();
        var line = Invariant($"TLS: KafkaActors/Confluent on W1-TLS {tls.Ours.MessagesPerSecond / tls.Theirs.MessagesPerSecond:F2}× (target > 1)");
        if (byName.TryGetValue("W1", out var plain))
            line += Invariant($"; KafkaActors W1-TLS/W1 {tls.Ours.MessagesPerSecond / plain.Ours.MessagesPerSecond:F2}× (target ≥ 0.7×), Confluent {tls.Theirs.MessagesPerSecond / plain.Theirs.MessagesPerSecond:F2}×");
        if (byName.TryGetValue("W1-RELAY", out var relay))
            line += Invariant($"; W1-TLS/W1-RELAY (TLS alone) KafkaActors {tls.Ours.MessagesPerSecond / relay.Ours.MessagesPerSecond:F2}×, Confluent {tls.Theirs.MessagesPerSecond / relay.Theirs.MessagesPerSecond:F2}×");
        Console.WriteLine(line + ".");
    }

    private static string Ratio(double ours, double theirs) => theirs <= 0 ? "" : Invariant($"{ours / theirs:F2}×");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Topic(EmbeddedKafka kafka, Workload workload, string client)
    {
        var topic = $"bench-{workload.Name}-{client}-{Guid.NewGuid():N}";
        kafka.CreateTopic(topic, 8, 1);
        return topic;
    }

    private static System.Diagnostics.ActivityListener ListenToKafkaActorsSpans()
    {
        var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == KafkaActors.Tracing.ProducerTracing.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
