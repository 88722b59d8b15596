using BenchmarkDotNet.Attributes;
using KafkaActors.Accumulator;
using KafkaActors.Metrics;
using KafkaActors.Partitioning;
using KafkaActors.Settings;

namespace KafkaActors.Benchmarks.Micro;

/// <summary>
/// The partitioner's share of appending one 100-byte record without a key, as SendPipeline calls it: the sticky
/// choice (with the topic's route as the load it weighs when switching), then the report of the bytes the record
/// added to its batch. batch.size 16384, 8 partitions, adaptive partitioning on (the default).
/// </summary>
[MemoryDiagnoser]
public class PartitionerAppendBenchmarks
{
    private const string Topic = "bench";
    private const int BatchSize = 16384;
    private const int RecordBytes = 108; // a 100-byte value without key or headers in a RecordBatch v2
    private readonly DefaultPartitioner _partitioner = new(BatchSize);
    private readonly TopicRoute _route;
    private int _batchBytes;

    public PartitionerAppendBenchmarks()
    {
        var settings = ProducerSettings.FromProperties(new Dictionary<string, string> { [ProducerConfig.BootstrapServers] = "localhost:9092" });
        var accumulator = new RecordAccumulator(settings, new ProducerMetrics(30_000, 2));
        var partitions = Enumerable.Range(0, 8).Select(p => new PartitionAccumulator(new TopicPartition(Topic, p), accumulator)).ToArray();
        for (var p = 0; p < partitions.Length; p++) partitions[p].PublishLoad(p % 3, waiting: false, drained: true, nowMs: 0);
        _route = new TopicRoute(Topic, partitions, Enumerable.Range(0, 8).ToArray());
    }

    [Benchmark]
    public int NullKeyRecord()
    {
        var partition = _partitioner.Partition(Topic, default, false, default, new PartitionerContext(_route.PartitionCount, _route.AvailablePartitions, _route, availableFixedWithLoad: true));
        _batchBytes += RecordBytes;
        var full = BatchSize - _batchBytes < RecordBytes;
        if (full) _batchBytes = 0;
        _partitioner.OnAppended(Topic, partition, RecordBytes, full);
        return partition;
    }
}
