using BenchmarkDotNet.Attributes;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Benchmarks.Micro;

/// <summary>Encoding a Produce request for 8 partitions as a gather write (batches are not copied).</summary>
[MemoryDiagnoser]
public class RequestEncodingBenchmarks
{
    private ProduceRequest _request = null!;
    private readonly PooledBufferWriter _envelope = new(4096);
    private readonly List<ArraySegment<byte>> _segments = new(32);

    [GlobalSetup]
    public void Setup()
    {
        var batch = new ArraySegment<byte>(new byte[16 * 1024]);
        _request = new ProduceRequest(null, -1, 30_000, Enumerable.Range(0, 8).Select(p => new ProducePartitionData("benchmark-topic", p, batch)).ToList());
    }

    [Benchmark]
    public int EncodeProduceV9()
    {
        _envelope.Clear();
        _segments.Clear();
        return _request.EncodeGather(_envelope, _segments, 9, 42, "bench");
    }
}
