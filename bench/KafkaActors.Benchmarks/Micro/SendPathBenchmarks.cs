using BenchmarkDotNet.Attributes;
using KafkaActors.Accumulator;
using KafkaActors.Producer;
using KafkaActors.Serialization;
using KafkaActors.Settings;

namespace KafkaActors.Benchmarks.Micro;

/// <summary>
/// The send path of one 100-byte record without a key, from the routed record to its bytes in a batch, as
/// KafkaProducer.Send runs it on the caller's thread: the closed check, the route lookup by topic, serialization
/// (byte arrays), the built-in sticky partitioner, the size checks and the append under the partition's lock. No actor
/// system: the 8 partitions' actors are Nobody, and a sealed batch is completed at once when memory runs out (about
/// once per 1 MiB batch, so its cost is amortized over ~9,000 records). batch.size 1 MiB, as W1.
/// <see cref="SendCreateTime"/> stamps the record with the clock (no timestamp given); <see cref="SendTimestamped"/> has one.
/// </summary>
[MemoryDiagnoser]
public class SendPathBenchmarks
{
    private const string Topic = "bench";
    private readonly ProducerRuntime<byte[]?, byte[]> _runtime;
    private readonly ProducerRecord<byte[]?, byte[]> _record = new(Topic, null, new byte[100]);
    private readonly ProducerRecord<byte[]?, byte[]> _timestamped = new(Topic, null, 1_700_000_000_000, null, new byte[100]);

    public SendPathBenchmarks()
    {
        var settings = ProducerSettings.FromProperties(new Dictionary<string, string>
        {
            [ProducerConfig.BootstrapServers] = "localhost:9092",
            [ProducerConfig.BatchSize] = "1048576",
        });
        _runtime = new ProducerRuntime<byte[]?, byte[]>(settings, Serializers.ByteArray, Serializers.ByteArray, null, [], _ => { });
        var accumulator = _runtime.Accumulator;
        var partitions = Enumerable.Range(0, 8).Select(p => new PartitionAccumulator(new TopicPartition(Topic, p), accumulator)).ToArray();
        accumulator.PublishRoute(new TopicRoute(Topic, partitions, Enumerable.Range(0, 8).ToArray()));
    }

    [Benchmark]
    public int SendCreateTime() => Send(_record);

    [Benchmark]
    public int SendTimestamped() => Send(_timestamped);

    private int Send(ProducerRecord<byte[]?, byte[]> record)
    {
        var pipeline = _runtime.Pipeline;
        pipeline.ThrowIfCannotSend();
        if (_runtime.WaitingSends.Any(record.Topic) || !_runtime.Accumulator.TryGetRoute(record.Topic, out var route)) throw new InvalidOperationException("No route.");
        pipeline.Prepare(record, route, null, out var prepared);
        while (pipeline.Append(record.Topic, ref prepared, null, null, out _) == AppendResult.NeedsMemory) CompleteSealed();
        return prepared.Partition;
    }

    /// <summary>What the partition actors would do, eventually: sealed batches complete and give their memory back.</summary>
    private void CompleteSealed()
    {
        foreach (var batch in _runtime.Accumulator.IncompleteBatches.ToList())
            if (batch.IsClosed) batch.Complete(0, -1, null, _ => { });
    }
}
