using BenchmarkDotNet.Attributes;
using KafkaActors.Protocol.Hashing;

namespace KafkaActors.Benchmarks.Micro;

/// <summary>murmur2 of typical keys, and CRC-32C of a default and a large batch.</summary>
[MemoryDiagnoser]
public class HashingBenchmarks
{
    private readonly byte[] _key16 = new byte[16];
    private readonly byte[] _key100 = new byte[100];
    private readonly byte[] _batch16K = new byte[16 * 1024];
    private readonly byte[] _batch1M = new byte[1 << 20];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        random.NextBytes(_key16);
        random.NextBytes(_key100);
        random.NextBytes(_batch16K);
        random.NextBytes(_batch1M);
    }

    [Benchmark] public int Murmur2Key16() => Murmur2.Hash(_key16);
    [Benchmark] public int Murmur2Key100() => Murmur2.Hash(_key100);
    [Benchmark] public uint Crc32C16K() => Crc32C.Compute(_batch16K);
    [Benchmark] public uint Crc32C1M() => Crc32C.Compute(_batch1M);
}
