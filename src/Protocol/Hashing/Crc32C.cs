using System.Buffers.Binary;
using System.Numerics;

namespace KafkaActors.Protocol.Hashing;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of RecordBatch v2. <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// uses the SSE4.2 / ARMv8 CRC instruction when the CPU has one and a software table otherwise.
/// </summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(~0u, data);

    /// <summary>Continues a running (non-inverted) CRC state over more bytes.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i, 8)));
        for (; i < data.Length; i++)
            crc = BitOperations.Crc32C(crc, data[i]);
        return crc;
    }
}
