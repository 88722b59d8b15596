using BenchmarkDotNet.Attributes;
using KafkaActors.Accumulator;
using KafkaActors.Metrics;
using KafkaActors.Settings;

namespace KafkaActors.Benchmarks.Micro;

/// <summary>
/// Appending one 100-byte record (null key, no headers) to a <see cref="ProducerBatch"/>, as SendPipeline does
/// under the partition's lock: the RecordBatch v2 encoding plus the batch's per-record bookkeeping (its
/// completion slot, fullness and largest record). A full 1 MiB batch (about 9,000 records) is replaced by a new
/// one over the same buffer: that replacement, never completed here, is what the few bytes allocated per append amortize.
/// </summary>
[MemoryDiagnoser]
public class ProducerBatchAppendBenchmarks
{
    private readonly byte[] _buffer = new byte[1 << 20];
    private readonly byte[] _value = new byte[100];
    private readonly RecordAccumulator _accumulator;
    private readonly TopicPartition _partition = new("bench", 0);
    private ProducerBatch _batch;

    public ProducerBatchAppendBenchmarks()
    {
        var settings = ProducerSettings.FromProperties(new Dictionary<string, string> { [ProducerConfig.BootstrapServers] = "localhost:9092" });
        _accumulator = new RecordAccumulator(settings, new ProducerMetrics(30_000, 2));
        _batch = NewBatch();
    }

    private ProducerBatch NewBatch() => new(_partition, 0, _buffer, _buffer.Length, _accumulator, 0, expectedRecords: 10_000);

    [Benchmark]
    public bool AppendValue()
    {
        if (_batch.TryAppend(1_700_000_000_000, default, -1, _value, _value.Length, default, null)) return true;
        _batch = NewBatch();
        return false;
    }
}
