using BenchmarkDotNet.Attributes;
using KafkaActors.Partitioning;

namespace KafkaActors.Benchmarks.Micro;

/// <summary>
/// The partitioner's share of appending one 100-byte record without a key: the sticky choice, then the
/// report of the bytes appended (what SendPipeline calls around each append), batch.size 16384, 8 partitions.
/// </summary>
[MemoryDiagnoser]
public class PartitionerAppendBenchmarks
{
    private const string Topic = "bench";
    private readonly DefaultPartitioner _partitioner = new(16384);
    private readonly int[] _available = [0, 1, 2, 3, 4, 5, 6, 7];
    private readonly byte[] _value = new byte[100];

    [Benchmark]
    public int NullKeyRecord()
    {
        var partition = _partitioner.Partition(Topic, default, false, _value, new PartitionerContext(_available.Length, _available));
        _partitioner.OnAppended(Topic, partition, 175);
        return partition;
    }
}
