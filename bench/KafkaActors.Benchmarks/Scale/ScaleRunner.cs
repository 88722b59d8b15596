using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;

namespace KafkaActors.Benchmarks.Scale;

/// <summary>
/// <c>scale</c>: topics × partitions and many producers in one ActorSystem. Grows the fleet step by step (1 producer
/// over one topic, then over all topics, then 10, 100, ... producers), each producer touching every partition once and
/// going idle, and after each step prints the managed heap per (producer, partition) touched and a census of partition
/// actors and armed timers; then CPU over 10 s of idleness, a fresh producer's time to first send to every topic, and
/// all producers sending at once (throughput, and the per-partition spread read back from the broker's high watermarks).
/// </summary>
public static class ScaleRunner
{
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(10);

    public static async Task<int> Run(string[] args)
    {
        var options = ScaleOptions.Parse(args);
        using var cluster = ScaleCluster.Start(options);
        Console.WriteLine($"# scale: {options.Topics} topics x {options.Partitions} partitions, {options.Producers} producers in one ActorSystem; " +
                          $"broker {(cluster.InProcess ? "in this process (3 brokers; CPU includes it, the managed heap does not)" : "external: " + cluster.BootstrapServers)}");
        using var system = ActorSystem.Create("scale", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var fleet = new ProducerFleet(system, cluster, options);
        try
        {
            await Steps(system, fleet, options);
            await Idle(fleet);
            await FirstSend(fleet, options);
            await Throughput(fleet, cluster, options);
        }
        finally
        {
            await fleet.DisposeAsync();
        }
        await system.Terminate();
        return 0;
    }

    /// <summary>Grows the fleet and the partitions touched; after each step, memory per idle partition and the census.</summary>
    private static async Task Steps(ActorSystem system, ProducerFleet fleet, ScaleOptions options)
    {
        Console.WriteLine();
        Console.WriteLine("| producers | partitions each | step took | heap added | bytes per idle partition | partition actors | actors per partition | armed timers (scheduler / linger) | producer children |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var heap = HeapProbe.Live(fleet.Producers);
        var touched = new int[options.Producers]; // partitions each producer has touched
        foreach (var (producers, partitions) in StepsOf(options))
        {
            var started = Stopwatch.GetTimestamp();
            await fleet.GrowTo(producers);
            // Earlier producers touched fewer partitions (or as many): touch from the first one that has not touched them all.
            await fleet.Touch(Array.FindIndex(touched, n => n < partitions), partitions);
            var took = Stopwatch.GetElapsedTime(started);
            var newPairs = 0L;
            for (var i = 0; i < producers; i++)
            {
                newPairs += partitions - touched[i];
                touched[i] = partitions;
            }
            await Task.Delay(500); // past linger.ms and the last acknowledgements: idle
            var now = HeapProbe.Live(fleet.Producers);
            var census = await ActorCensus.Take(system, producers * partitions);
            Console.WriteLine($"| {producers:N0} | {partitions:N0} | {took.TotalSeconds:F1} s | {(now - heap) / 1048576.0:F1} MiB | {(double)(now - heap) / newPairs:N0} | " +
                              $"{census.PartitionActors:N0} | {(double)census.PartitionActors / ((long)producers * partitions):F2} | " +
                              $"{census.ArmedSchedulerTimers:N0} / {census.ArmedLingerTimers:N0} (precise firings pending {census.PendingPreciseFirings:N0}) | {census.ProducerChildren:N0} |");
            heap = now;
        }
        var first = fleet.FirstAckMs.Order().ToArray();
        Console.WriteLine();
        Console.WriteLine($"Time to first acknowledged record per producer (created in the shared system, first send to partition 0): " +
                          $"min {first[0]:F0} ms, median {first[first.Length / 2]:F0} ms, max {first[^1]:F0} ms over {first.Length} producers.");
    }

    /// <summary>(producers, partitions each): one producer over one topic, over all topics, then 10, 100, ... producers over all.</summary>
    private static IEnumerable<(int Producers, int Partitions)> StepsOf(ScaleOptions options)
    {
        yield return (1, options.Partitions);
        if (options.Topics > 1) yield return (1, options.TotalPartitions);
        var n = 10;
        for (; n < options.Producers; n *= 10) yield return (n, options.TotalPartitions);
        if (options.Producers > 1) yield return (options.Producers, options.TotalPartitions);
    }

    /// <summary>Process CPU (user + system) over <see cref="IdleWindow"/> with every producer idle.</summary>
    private static async Task Idle(ProducerFleet fleet)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.TotalProcessorTime;
        var gcBefore = GC.CollectionCount(0);
        await Task.Delay(IdleWindow);
        process.Refresh();
        var cpu = process.TotalProcessorTime - before;
        Console.WriteLine($"CPU while idle: {cpu.TotalMilliseconds:F0} ms over {IdleWindow.TotalSeconds:F0} s ({cpu / IdleWindow * 100:F2} % of one core), " +
                          $"{GC.CollectionCount(0) - gcBefore} gen0 GCs, {fleet.Producers.Count} producers idle.");
    }

    /// <summary>A fresh producer in the shared system: its first record to every topic at once (metadata for all their partitions).</summary>
    private static async Task FirstSend(ProducerFleet fleet, ScaleOptions options)
    {
        var started = Stopwatch.GetTimestamp();
        await using var producer = fleet.Create("scale-first-send");
        await Task.WhenAll(Enumerable.Range(0, options.Topics).Select(t =>
            producer.SendAsync(new ProducerRecord<byte[]?, byte[]>(options.Topic(t), 0, null, new byte[100]))));
        Console.WriteLine($"Time to first send to a fresh set of {options.Topics} topics ({options.TotalPartitions:N0} partitions) from a new producer: " +
                          $"{Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms until all {options.Topics} acknowledged.");
    }

    /// <summary>All producers at once over every partition: msg/s, CPU per record, and the spread read back from the broker.</summary>
    private static async Task Throughput(ProducerFleet fleet, ScaleCluster cluster, ScaleOptions options)
    {
        var perProducer = options.Records / fleet.Producers.Count;
        var before = cluster.HighWatermarks(options);
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var pauseBefore = GC.GetTotalPauseDuration();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
        var started = Stopwatch.GetTimestamp();
        await fleet.SendLoad(perProducer);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var gc = $"{(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)Math.Max(1, options.Records):N0} B allocated per record, " +
                 $"GC paused {(GC.GetTotalPauseDuration() - pauseBefore).TotalSeconds:F1} s ({GC.CollectionCount(0) - gen0} gen0, {GC.CollectionCount(2) - gen2} gen2)";
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var after = cluster.HighWatermarks(options);
        long min = long.MaxValue, max = 0, total = 0;
        for (var t = 0; t < options.Topics; t++)
            for (var p = 0; p < options.Partitions; p++)
            {
                var added = after[t, p] - before[t, p];
                min = Math.Min(min, added);
                max = Math.Max(max, added);
                total += added;
            }
        var records = (long)perProducer * fleet.Producers.Count;
        Console.WriteLine($"Throughput: {records:N0} keyed records of 100 B from {fleet.Producers.Count} producers at once in {elapsed.TotalSeconds:F1} s = {records / elapsed.TotalSeconds:N0} msg/s, " +
                          $"{cpu.TotalMicroseconds / records:F1} us CPU per record{(cluster.InProcess ? " (broker included)" : "")}; " +
                          $"{gc}; per partition (broker high watermarks) min {min:N0}, max {max:N0}, mean {(double)total / options.TotalPartitions:F1}; {total:N0} stored.");
    }
}
