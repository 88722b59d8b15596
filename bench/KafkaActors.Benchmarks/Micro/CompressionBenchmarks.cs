using BenchmarkDotNet.Attributes;
using KafkaActors.Protocol.Compression;
using KafkaActors.Protocol.Primitives;
using KafkaActors.Protocol.Records;

namespace KafkaActors.Benchmarks.Micro;

/// <summary>
/// Compressing the records section of a 1 MiB batch of W2-like records (perf-test's 100 random letters, 10-byte keys) per
/// codec at Kafka's default level, into a reused writer: time and what each batch allocates (lz4 and zstd: nothing;
/// Snappier allocates a compressor per 32 KiB block, gzip a deflate stream per batch).
/// </summary>
[MemoryDiagnoser]
public class CompressionBenchmarks
{
    private readonly byte[] _records = new byte[1 << 20];
    private readonly PooledBufferWriter _output = new(2 << 20);

    [Params(CompressionType.Lz4, CompressionType.Snappy, CompressionType.Zstd, CompressionType.Gzip)]
    public CompressionType Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var value = new byte[100];
        for (var i = 0; i < value.Length; i++) value[i] = (byte)('A' + random.Next(26));
        for (var offset = 0; offset < _records.Length; offset += 110)
        {
            var record = _records.AsSpan(offset, Math.Min(110, _records.Length - offset));
            "key-0000\0\0"u8[..Math.Min(10, record.Length)].CopyTo(record);
            value.AsSpan(0, record.Length - Math.Min(10, record.Length)).CopyTo(record[Math.Min(10, record.Length)..]);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark]
    public int Compress1M()
    {
        _output.Clear();
        CompressionCodecs.Compress(Codec, CompressionCodecs.DefaultLevel(Codec), _records, _output);
        return _output.WrittenCount;
    }
}
