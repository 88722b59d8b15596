using System.Globalization;
using Confluent.Kafka;
using KafkaActors.Benchmarks.Compare;
using KafkaActors.Cli.PerfTest;
using KafkaActors.Testing;

namespace KafkaActors.Benchmarks.PerfTwin;

/// <summary>
/// <c>confluent-perf-test</c>: <c>kafka-actors perf-test</c>'s main job done with Confluent.Kafka, the same way, so the
/// two can be compared as fresh processes (see <see cref="ColdStartRunner"/>, and bench/cpu-per-record.sh). Without
/// bootstrap.servers in <c>--producer-props</c> it starts the same in-process cluster (<see cref="EmbeddedCluster"/>:
/// 3 brokers, the topic with 8 partitions). It configures the producer as perf-test's defaults configure ours (Java's:
/// acks=all, idempotence, linger.ms 5, batch.size 16384, 32 MiB of buffer memory, 5 requests in flight, client.id
/// perf-producer-client), then applies <c>--producer-props</c> by their Java names (those librdkafka names otherwise
/// translated: buffer.memory, max.in.flight.requests.per.connection, socket buffers; its message-count limits raised
/// out of the way, so bytes bound a batch and the queue as in Java), waits for the topic's metadata before the clock starts
/// (perf-test's <c>PartitionsFor</c>), and measures and prints with perf-test's own <see cref="PerfStats"/>, clock,
/// payload and throttler, one delivery handler per record carrying its send time (perf-test's <c>PerfCallback</c>
/// needs none: our producer hands each record's CreateTime back, which Confluent's report does not, since the embedded
/// broker answers with a LogAppendTime), that time also being the record's timestamp (one clock read per send, as in
/// perf-test). Its acknowledgement side reads the clock and takes the stats' lock once per report: Confluent.Kafka calls
/// the handler per message and does not say where a batch's reports end (perf-test does both once per batch).
/// A full local queue blocks the sender as Java's <c>send</c> does when buffer memory is exhausted: Poll, then retry.
/// Runs on the calling thread; not thread-safe.
/// </summary>
public static class ConfluentPerfTest
{
    public const string Command = "confluent-perf-test";

    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromMinutes(2);

    /// <summary><c>--topic T --num-records N --record-size S --throughput R</c>, as perf-test takes them.</summary>
    public static int Run(string[] args)
    {
        var topic = Option(args, "--topic") ?? "perf";
        var numRecords = long.Parse(Option(args, "--num-records") ?? "1000000", CultureInfo.InvariantCulture);
        var recordSize = int.Parse(Option(args, "--record-size") ?? "100", CultureInfo.InvariantCulture);
        var throughput = double.Parse(Option(args, "--throughput") ?? "-1", CultureInfo.InvariantCulture);

        var value = Payloads.Random(topic, recordSize).Next().Value;
        var props = ProducerProps(args).ToList();
        LibRdKafka.EnsureLoaded();
        using var kafka = props.Any(p => p.Key == "bootstrap.servers") ? null : EmbeddedCluster.Start(topic, Console.Error);
        var config = new ProducerConfig
        {
            BootstrapServers = kafka?.BootstrapServers,
            ClientId = "perf-producer-client",
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            BatchSize = 16384,
            QueueBufferingMaxKbytes = 32 * 1024,
            // Java bounds the buffer by bytes only: keep librdkafka's message count out of the way.
            QueueBufferingMaxMessages = 10_000_000,
            BatchNumMessages = 1_000_000,
            MaxInFlight = 5,
        };
        foreach (var (key, setting) in props) Set(config, key, setting);
        var message = new Message<byte[]?, byte[]> { Value = value };
        var errors = 0L;
        PerfStats stats;
        using (var producer = new ProducerBuilder<byte[]?, byte[]>(config).Build())
        {
            using (var admin = new DependentAdminClientBuilder(producer.Handle).Build())
                admin.GetMetadata(topic, MetadataTimeout);
            var startMs = Clock.NowMs;
            stats = new PerfStats(numRecords, Console.Out, startMs);
            var throttler = new ThroughputThrottler(throughput, startMs);
            for (long i = 0; i < numRecords; i++)
            {
                // perf-test's one clock read per send is the record's CreateTime (its producer stamps it); here the tool's
                // read stamps it, so librdkafka reads no wall clock of its own. Produce copies the message at once.
                var sendStartMs = Clock.NowMs;
                message.Timestamp = new Timestamp(sendStartMs, TimestampType.CreateTime);
                Action<DeliveryReport<byte[]?, byte[]>> callback = report =>
                {
                    var now = Clock.NowMs;
                    if (report.Error.IsError)
                    {
                        Interlocked.Increment(ref errors);
                        return;
                    }
                    stats.Record((int)(now - sendStartMs), value.Length, now);
                };
                BlockingProduce.Produce(producer, topic, message, callback);
                if (throttler.ShouldThrottle(i, sendStartMs)) throttler.Throttle();
            }
            producer.Flush(FlushTimeout);
        }
        Console.Out.WriteLine(stats.TotalLine(Clock.NowMs));
        Console.Out.Flush();
        if (errors == 0) return 0;
        Console.Error.WriteLine($"{errors} of {numRecords} records failed.");
        return 1;
    }

    /// <summary>A Java setting on librdkafka's config: the names librdkafka spells otherwise translated.</summary>
    private static void Set(ProducerConfig config, string key, string value)
    {
        switch (key)
        {
            case "buffer.memory": config.QueueBufferingMaxKbytes = (int)(long.Parse(value, CultureInfo.InvariantCulture) / 1024); break;
            case "max.in.flight.requests.per.connection": config.MaxInFlight = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "send.buffer.bytes": config.Set("socket.send.buffer.bytes", value == "-1" ? "0" : value); break;
            case "receive.buffer.bytes": config.Set("socket.receive.buffer.bytes", value == "-1" ? "0" : value); break;
            default: config.Set(key, value); break;
        }
    }

    /// <summary>The key=value words after --producer-props, up to the next option.</summary>
    private static IEnumerable<KeyValuePair<string, string>> ProducerProps(string[] args)
    {
        var index = Array.IndexOf(args, "--producer-props");
        if (index < 0) yield break;
        for (var i = index + 1; i < args.Length && !args[i].StartsWith("--", StringComparison.Ordinal); i++)
        {
            var kv = args[i].Split('=', 2);
            if (kv.Length != 2) throw new ArgumentException($"--producer-props takes key=value words, not '{args[i]}'.");
            yield return new(kv[0], kv[1]);
        }
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
