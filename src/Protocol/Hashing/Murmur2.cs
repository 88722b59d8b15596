using System.Buffers.Binary;

namespace KafkaActors.Protocol.Hashing;

/// <summary>
/// Kafka's Java <c>Utils.murmur2</c> (seed 0x9747b28c) and <c>toPositive</c>: keyed records must
/// land on the same partition as with the Java client, so this is bit-for-bit that function.
/// </summary>
public static class Murmur2
{
    private const uint Seed = 0x9747b28c;
    private const uint M = 0x5bd1e995;
    private const int R = 24;

    public static int Hash(ReadOnlySpan<byte> data)
    {
        var length = data.Length;
        var h = Seed ^ (uint)length;
        var length4 = length & ~3;
        for (var i = 0; i < length4; i += 4)
        {
            var k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i, 4));
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }

        switch (length & 3)
        {
            case 3:
                h ^= (uint)data[length4 + 2] << 16;
                h ^= (uint)data[length4 + 1] << 8;
                h ^= data[length4];
                h *= M;
                break;
            case 2:
                h ^= (uint)data[length4 + 1] << 8;
                h ^= data[length4];
                h *= M;
                break;
            case 1:
                h ^= data[length4];
                h *= M;
                break;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return (int)h;
    }

    /// <summary>Java's <c>Utils.toPositive</c>: clears the sign bit (not Math.Abs, which overflows).</summary>
    public static int ToPositive(int number) => number & 0x7fffffff;

    /// <summary>The Java default partitioner's choice for a serialized key.</summary>
    public static int Partition(ReadOnlySpan<byte> key, int numPartitions) =>
        ToPositive(Hash(key)) % numPartitions;
}
