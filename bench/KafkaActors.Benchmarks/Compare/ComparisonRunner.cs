using System.Globalization;
using KafkaActors.Testing;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// Runs every workload with both clients against one embedded cluster (3 brokers, 8-partition topics, a fresh topic
/// per run), by default in its own process (<c>kafka-actors broker --no-front</c>; <c>--in-process-broker</c> for this
/// one), and prints one table with the KafkaActors / Confluent ratios and each client's CPU per record. A workload
/// through the secure front (TLS or relay only) gets a fresh cluster of its own behind one, in its own process too.
/// </summary>
public static class ComparisonRunner
{
    public static async Task<int> Run(string[] args)
    {
        var scale = double.Parse(Option(args, "--scale") ?? "1", CultureInfo.InvariantCulture);
        // --repeat N: N pairs per workload, alternating which client goes first; medians in the table.
        var repeat = Math.Max(1, int.Parse(Option(args, "--repeat") ?? "1", CultureInfo.InvariantCulture));
        var only = Option(args, "--workloads")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var workloads = Workload.All(scale).Where(w => only is null || only.Contains(w.Name, StringComparer.OrdinalIgnoreCase)).ToList();

        // --trace: what tracing costs while someone listens (every span recorded, none exported); Confluent has none.
        using var listener = args.Contains("--trace") ? ListenToKafkaActorsSpans() : null;
        using var allocations = args.Contains("--alloc-types") ? AllocationProfile.Start() : null;

        var inProcess = args.Contains("--in-process-broker");
        LibRdKafka.EnsureLoaded();
        using var kafka = inProcess ? EmbeddedKafka.Start(3) : null;
        using var broker = inProcess ? null : ExternalBroker.Start(Transport.Direct);
        Func<Transport, Endpoint> endpointFor = transport => kafka is not null ? Endpoint.InProcess(transport, kafka) : Endpoint.OutOfProcess(transport, broker!);
        var where = kafka is not null ? $"{kafka.BootstrapServers}, in this process" : $"{broker!.JavaProperties["bootstrap.servers"]}, in its own process";
        Console.WriteLine($"# KafkaActors vs Confluent.Kafka {typeof(Confluent.Kafka.Library).Assembly.GetName().Version} on librdkafka's mock cluster ({where})");
        Console.WriteLine($"# {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, scale {scale}" +
                          (repeat > 1 ? $", medians of {repeat} runs each (ratios: the median of the back-to-back pairs' ratios)" : ""));
        if (listener is not null) Console.WriteLine("# tracing on: an ActivityListener records every KafkaActors span (W3C traceparent in every record's headers)");

        var rows = new List<ComparisonRow>();
        var jitWarmed = new HashSet<Transport>();
        foreach (var workload in workloads)
        {
            Console.Error.WriteLine($"{workload.Name}: {workload.Description}, {workload.Records:N0} records ...");
            using var endpoint = endpointFor(workload.Transport);
            Action<int> setRtt = endpoint.SetBrokerRtt;
            if (jitWarmed.Add(workload.Transport))
            {
                // Tiered JIT: the first run in the process, and the first over a new transport, would otherwise be
                // measured partly on unoptimized code. So each client runs once unmeasured (its warm-up and a few records).
                var unmeasured = workload with { Records = 1000 };
                await KafkaActorsClient.Run(endpoint, Topic(endpoint, workload, "ka-jit"), unmeasured, setRtt);
                await ConfluentClient.Run(endpoint, Topic(endpoint, workload, "cf-jit"), unmeasured, setRtt);
            }
            var ours = new List<RunResult>();
            var theirs = new List<RunResult>();
            for (var round = 0; round < repeat; round++)
            {
                // Alternating who goes first, so neither always runs on the other's leftovers (GC, broker logs).
                if (round % 2 == 1) theirs.Add(await ConfluentClient.Run(endpoint, Topic(endpoint, workload, "cf"), workload, setRtt));
                ours.Add(await KafkaActorsClient.Run(endpoint, Topic(endpoint, workload, "ka"), workload, setRtt));
                if (round % 2 == 0) theirs.Add(await ConfluentClient.Run(endpoint, Topic(endpoint, workload, "cf"), workload, setRtt));
            }
            rows.Add(new ComparisonRow(workload, ours, theirs));
        }

        Console.WriteLine();
        Console.WriteLine("| workload | client | msg/s | MB/s | p50 ms | p99 ms | CPU µs/record | B alloc/record | gen0/1/2 | failed |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (var row in rows)
        {
            Print(row.Workload, row.Ours);
            Print(row.Workload, row.Theirs);
            Console.WriteLine(Invariant($"| {row.Workload.Name} | **ratio KafkaActors/Confluent** | **{Ratio(row.PairedRatio(r => r.MessagesPerSecond))}** | | {Ratio(row.PairedRatio(r => r.P50Ms))} | {Ratio(row.PairedRatio(r => r.P99Ms))} | {Ratio(row.PairedRatio(r => r.CpuMicrosecondsPerRecord))} | | | |"));
        }
        PrintTlsSummary(rows);
        PrintMissedRates(rows);
        PrintBrokerCpu(rows);
        Console.WriteLine();
        foreach (var w in workloads) Console.WriteLine($"- {w.Name}: {w.Description}; {w.Records:N0} records.");
        Console.WriteLine("- Both: acks=all, the same linger.ms, batch.size, compression and idempotence, 32 MiB of buffer memory, 5 requests in flight, socket buffers left to the OS, delivery callbacks (1 in 16 records timed for latency), a warm-up first (half of it against slow brokers, so each client's buffer memory fills up and is allocated before measuring; before the first workload over each transport, a second one for the tiered JIT), so both run in their steady state.");
        if (workloads.Any(w => w.TransactionMs > 0))
            Console.WriteLine("- Transactional (W6): each client with its own transactional.id, InitTransactions before the warm-up; a transaction begun before the first record and committed, with the blocking CommitTransaction on the sending thread, after the send that finds it at least 100 ms old (Kafka's ProducerPerformance rule), and after the last record; the warm-up runs in transactions too.");
        Console.WriteLine(inProcess
            ? "- CPU µs/record: this process's user+sys time (Process.TotalProcessorTime) from the start of the measured run to its last acknowledgement, over its records. --in-process-broker: the mock brokers (and any front) run in this process, so their work is in the figure too."
            : "- CPU µs/record: this process's user+sys time (Process.TotalProcessorTime) from the start of the measured run to its last acknowledgement, over its records, all threads (Confluent's librdkafka threads run in this process, so they count). The brokers run in another process (kafka-actors broker), so this is the client's own cost; the broker process's user+sys over the same interval (from /proc) is the line under the table: what each client's requests cost the broker." +
              (workloads.Any(w => w.RatePerSecond > 0) ? " At a fixed rate (W5, W7) it includes the pacing's naps and wake-ups." : ""));
        if (workloads.Any(w => w.Transport != Transport.Direct))
            Console.WriteLine(inProcess
                ? "- Through the front (W1-TLS, W1-RELAY): one relay per broker in this process, so its cost (and the server side of TLS) shares the CPU with the client; both clients trust the test CA (ssl.truststore.type=PEM / ssl.ca.location) and verify the host name; the TLS version is the OS's choice."
                : "- Through the front (W1-TLS, W1-RELAY): a fresh broker process per workload (kafka-actors broker --security-protocol SSL or PLAINTEXT) with one relay per broker, so the relay and the server side of TLS run off the clients' CPU; both clients trust the test CA (ssl.truststore.type=PEM / ssl.ca.location) and verify the host name; the TLS version is the OS's choice.");
        return rows.Any(r => r.Ours.Failed > 0 || r.Theirs.Failed > 0) ? 1 : 0;
    }

    private static void Print(Workload workload, RunResult r) =>
        Console.WriteLine(Invariant($"| {workload.Name} | {r.Client} | {r.MessagesPerSecond:N0} | {r.MegabytesPerSecond:F1} | {r.P50Ms:F1} | {r.P99Ms:F1} | {r.CpuMicrosecondsPerRecord:F2} | {r.AllocatedBytesPerRecord:F1} | {r.Gen0}/{r.Gen1}/{r.Gen2} | {r.Failed} |"));

    /// <summary>The issue's targets: KafkaActors over TLS at ≥ 0.7× its plaintext W1, and ahead of Confluent.Kafka over TLS.</summary>
    private static void PrintTlsSummary(List<ComparisonRow> rows)
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

    /// <summary>A paced run (W5, W7) whose client fell behind the rate measured a saturated client, not latency at that rate: say so.</summary>
    private static void PrintMissedRates(List<ComparisonRow> rows)
    {
        var behind = rows.Where(r => r.Workload.RatePerSecond > 0)
            .SelectMany(r => new[] { (r.Workload, Result: r.Ours), (r.Workload, Result: r.Theirs) })
            .Where(x => x.Result.MessagesPerSecond < 0.97 * x.Workload.RatePerSecond)
            .ToList();
        if (behind.Count > 0) Console.WriteLine(); // a line right under the table would be read as one of its rows
        foreach (var (workload, r) in behind)
        {
            Console.WriteLine(Invariant($"{workload.Name}: {r.Client} kept up only {r.MessagesPerSecond:N0} of {workload.RatePerSecond:N0} msg/s, so its latency there is not at that rate (a busy machine, or a run too short for its last linger.ms to vanish)."));
        }
    }

    /// <summary>What serving each client cost the broker process (its fronts' TLS included): its requests, not its own work.</summary>
    private static void PrintBrokerCpu(List<ComparisonRow> rows)
    {
        var measured = rows.Where(r => r.Ours.BrokerCpuMicrosecondsPerRecord is not null && r.Theirs.BrokerCpuMicrosecondsPerRecord is not null).ToList();
        if (measured.Count == 0) return;
        Console.WriteLine();
        Console.WriteLine("Broker process CPU µs/record, KafkaActors / Confluent.Kafka: " + string.Join("; ", measured.Select(r =>
            Invariant($"{r.Workload.Name} {r.Ours.BrokerCpuMicrosecondsPerRecord:F2} / {r.Theirs.BrokerCpuMicrosecondsPerRecord:F2}"))) + ".");
    }

    private static string Ratio(double? ratio) => ratio is { } r ? Invariant($"{r:F2}×") : "";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Topic(Endpoint endpoint, Workload workload, string client)
    {
        var topic = $"bench-{workload.Name}-{client}-{Guid.NewGuid():N}";
        endpoint.CreateTopic(topic, 8);
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
