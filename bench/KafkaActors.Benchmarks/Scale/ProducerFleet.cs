using System.Diagnostics;
using Akka.Actor;
using KafkaActors.Settings;

namespace KafkaActors.Benchmarks.Scale;

/// <summary>
/// The producers of a scale run, all in one ActorSystem, with Java's default settings (acks=all, idempotence,
/// linger.ms 5, batch.size 16384, buffer.memory 32 MiB). Touches partitions (one record each), sends the throughput
/// load, and records each producer's time to its first acknowledged record. Used from the runner's thread only,
/// but for the sending, which runs one producer per task.
/// </summary>
public sealed class ProducerFleet(ActorSystem system, ScaleCluster cluster, ScaleOptions options) : IAsyncDisposable
{
    private static readonly byte[] Value = new byte[100];
    private readonly List<KafkaProducer<byte[]?, byte[]>> _producers = [];

    public IReadOnlyList<KafkaProducer<byte[]?, byte[]>> Producers => _producers;

    /// <summary>Each producer's construction-to-first-acknowledgement time, ms.</summary>
    public List<double> FirstAckMs { get; } = [];

    public KafkaProducer<byte[]?, byte[]> Create(string clientId) =>
        new(ProducerSettings.FromProperties(Properties(clientId)), system: system);

    /// <summary>Adds producers until there are <paramref name="count"/>; each sends its first record (partition 0 of the first topic) and waits for it.</summary>
    public async Task GrowTo(int count)
    {
        var created = new List<Task>();
        while (_producers.Count < count)
        {
            var started = Stopwatch.GetTimestamp();
            var producer = Create($"scale-{_producers.Count}");
            _producers.Add(producer);
            created.Add(FirstAck(producer, started));
        }
        await Task.WhenAll(created);
    }

    private async Task FirstAck(KafkaProducer<byte[]?, byte[]> producer, long started)
    {
        await producer.SendAsync(new ProducerRecord<byte[]?, byte[]>(options.Topic(0), 0, null, Value));
        lock (FirstAckMs) FirstAckMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Every producer from <paramref name="from"/> on sends one record to each of the first <paramref name="partitions"/> partitions (topic by topic), then flushes.</summary>
    public Task Touch(int from, int partitions) =>
        ForEachProducer(from, async producer =>
        {
            var callback = new CountingCallback(partitions);
            for (var i = 0; i < partitions; i++)
                producer.Send(new ProducerRecord<byte[]?, byte[]>(options.Topic(i / options.Partitions), i % options.Partitions, null, Value), callback);
            await producer.FlushAsync();
            callback.ThrowIfFailed();
        });

    /// <summary>All producers at once, <paramref name="perProducer"/> keyed records each over every topic (the key picks the partition, murmur2).</summary>
    public Task SendLoad(int perProducer) =>
        ForEachProducer(0, async producer =>
        {
            var callback = new CountingCallback(perProducer);
            var id = _producers.IndexOf(producer);
            for (var i = 0; i < perProducer; i++)
            {
                var key = BitConverter.GetBytes(((long)id << 32) | (uint)i);
                producer.Send(new ProducerRecord<byte[]?, byte[]>(options.Topic(i % options.Topics), key, Value), callback);
            }
            await producer.FlushAsync();
            callback.ThrowIfFailed();
        });

    private Task ForEachProducer(int from, Func<KafkaProducer<byte[]?, byte[]>, Task> work) =>
        Parallel.ForEachAsync(_producers.Skip(from), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) },
            async (producer, _) => await work(producer));

    private Dictionary<string, string> Properties(string clientId)
    {
        var properties = new Dictionary<string, string> { ["bootstrap.servers"] = cluster.BootstrapServers, ["client.id"] = clientId };
        // KAFKA_ACTORS_BENCH_PROPS="k=v;k=v": extra settings for experiments (the README's numbers use none).
        foreach (var pair in (Environment.GetEnvironmentVariable("KAFKA_ACTORS_BENCH_PROPS") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            properties[kv[0].Trim()] = kv[1].Trim();
        }
        return properties;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_producers.Select(p => p.CloseAsync(TimeSpan.FromSeconds(30))));
        _producers.Clear();
    }

    /// <summary>Counts outcomes of one producer's sends; thread-safe (callbacks run on partition actors).</summary>
    private sealed class CountingCallback(int expected) : IDeliveryCallback
    {
        private int _failed;
        private Exception? _first;

        public void OnCompletion(RecordMetadata metadata, Exception? exception)
        {
            if (exception is null) return;
            Interlocked.Increment(ref _failed);
            Interlocked.CompareExchange(ref _first, exception, null);
        }

        public void ThrowIfFailed()
        {
            if (_failed > 0) throw new InvalidOperationException($"{_failed} of {expected} records failed; the first: {_first!.Message}", _first);
        }
    }
}
