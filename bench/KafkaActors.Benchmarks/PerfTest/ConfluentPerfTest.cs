using System.Diagnostics;
using Confluent.Kafka;
using KafkaActors.Benchmarks.Compare;

namespace KafkaActors.Benchmarks.PerfTest;

/// <summary>
/// <c>confluent-perf-test</c>: <c>kafka-actors perf-test</c>'s loop through Confluent.Kafka, for the marginal CPU figure
/// (bench/cpu-per-record.sh). Same options (--topic, --num-records, --record-size, --throughput, --producer-props with
/// Java names), the same payload (random letters, null keys), one delivery handler per record carrying its send time
/// (Kafka's PerfCallback), Poll-and-retry when librdkafka's queue is full, Flush at the end and the same final line.
/// Java names librdkafka lacks are translated (buffer.memory, max.in.flight.requests.per.connection, socket buffers);
/// batch.num.messages and queue.buffering.max.messages are raised as in <c>compare</c>, so batch.size and
/// buffer.memory are what bound a batch and the queue. Static; runs on the calling thread.
/// </summary>
public static class ConfluentPerfTest
{
    public static int Run(string[] args)
    {
        var topic = Required(args, "--topic");
        var numRecords = long.Parse(Required(args, "--num-records"), System.Globalization.CultureInfo.InvariantCulture);
        var recordSize = int.Parse(Required(args, "--record-size"), System.Globalization.CultureInfo.InvariantCulture);
        var throughput = double.Parse(Required(args, "--throughput"), System.Globalization.CultureInfo.InvariantCulture);
        var config = Config(ProducerProps(args));

        var message = new Message<byte[]?, byte[]> { Value = Payload.Create(recordSize) };
        var failed = 0L;
        using var producer = new ProducerBuilder<byte[]?, byte[]>(config).Build();
        var clock = Stopwatch.StartNew();
        var report = new PerfTestReport(numRecords, clock.ElapsedMilliseconds);
        var limiter = new RateLimiter(throughput > 0 ? (int)throughput : 0);
        for (long i = 0; i < numRecords; i++)
        {
            limiter.Wait((int)Math.Min(i, int.MaxValue));
            var sendStartMs = clock.ElapsedMilliseconds;
            Action<DeliveryReport<byte[]?, byte[]>> handler = delivery =>
            {
                if (delivery.Error.Code == ErrorCode.NoError) report.Record((int)(clock.ElapsedMilliseconds - sendStartMs), recordSize);
                else Interlocked.Increment(ref failed);
            };
            while (true)
            {
                try
                {
                    producer.Produce(topic, message, handler);
                    break;
                }
                catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(1));
                }
            }
        }
        producer.Flush(Timeout.InfiniteTimeSpan);
        Console.Out.WriteLine(report.TotalLine(clock.ElapsedMilliseconds));
        if (Interlocked.Read(ref failed) == 0) return 0;
        Console.Error.WriteLine($"{failed} of {numRecords} records failed.");
        return 1;
    }

    private static ProducerConfig Config(IEnumerable<KeyValuePair<string, string>> javaProperties)
    {
        var config = new ProducerConfig { BatchNumMessages = 1_000_000, QueueBufferingMaxMessages = 10_000_000 };
        foreach (var (key, value) in javaProperties)
        {
            switch (key)
            {
                case "buffer.memory": config.QueueBufferingMaxKbytes = (int)(long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) / 1024); break;
                case "max.in.flight.requests.per.connection": config.MaxInFlight = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "send.buffer.bytes": config.Set("socket.send.buffer.bytes", value == "-1" ? "0" : value); break;
                case "receive.buffer.bytes": config.Set("socket.receive.buffer.bytes", value == "-1" ? "0" : value); break;
                default: config.Set(key, value); break;
            }
        }
        return config;
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

    private static string Required(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : throw new ArgumentException($"Missing {name}.");
    }
}
