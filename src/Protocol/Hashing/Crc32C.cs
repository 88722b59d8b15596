using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KafkaActors.Protocol.Hashing;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of RecordBatch v2. <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// uses the SSE4.2 / ARMv8 CRC instruction when the CPU has one and a software table otherwise.
///
/// One CRC instruction waits for the previous one (a latency of about 3 cycles for 8 bytes), so long inputs run
/// three independent streams over three adjacent blocks and join them (Mark Adler's crc32c.c): a CRC state moved
/// past a block of zeros is a linear map, applied with four table lookups. Where the CPU has AVX-512 VPCLMULQDQ,
/// inputs of at least <see cref="Crc32CFolding.MinLength"/> bytes are folded by carry-less multiplication instead
/// (<see cref="Crc32CFolding"/>), about twice as fast as the three streams. Stateless and thread-safe.
/// </summary>
public static class Crc32C
{
    /// <summary>Block of each stream for inputs of at least 3 × 8 KiB (a batch of records).</summary>
    private const int LongBlock = 8192;

    /// <summary>Block of each stream for the rest down to 3 × 256 bytes.</summary>
    private const int ShortBlock = 256;

    /// <summary>CRC-32C's polynomial, bit-reflected.</summary>
    private const uint Polynomial = 0x82F63B78;

    private static readonly uint[] LongShift = ZerosTable(LongBlock);
    private static readonly uint[] ShortShift = ZerosTable(ShortBlock);

    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(~0u, data);

    /// <summary>Continues a running (non-inverted) CRC state over more bytes.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (data.Length >= Crc32CFolding.MinLength && Crc32CFolding.IsSupported)
        {
            crc = Crc32CFolding.Update(crc, data, out var consumed);
            data = data[consumed..];
        }
        while (data.Length >= 3 * LongBlock)
        {
            crc = ThreeStreams(crc, data, LongBlock, LongShift);
            data = data[(3 * LongBlock)..];
        }
        while (data.Length >= 3 * ShortBlock)
        {
            crc = ThreeStreams(crc, data, ShortBlock, ShortShift);
            data = data[(3 * ShortBlock)..];
        }
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var word in words) crc = BitOperations.Crc32C(crc, LittleEndian(word));
        foreach (var b in data[(words.Length * 8)..]) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }

    /// <summary>
    /// The state after the first 3 × <paramref name="block"/> bytes of <paramref name="data"/>, in three interleaved streams.
    /// Optimized at once: called per block rather than looping, it would otherwise spend its first calls in unoptimized tiers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint ThreeStreams(uint crc, ReadOnlySpan<byte> data, int block, uint[] shift)
    {
        var a = MemoryMarshal.Cast<byte, ulong>(data[..block]);
        var b = MemoryMarshal.Cast<byte, ulong>(data.Slice(block, block));
        var c = MemoryMarshal.Cast<byte, ulong>(data.Slice(2 * block, block));
        uint crc1 = 0, crc2 = 0;
        for (var i = 0; i < a.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, LittleEndian(a[i]));
            crc1 = BitOperations.Crc32C(crc1, LittleEndian(b[i]));
            crc2 = BitOperations.Crc32C(crc2, LittleEndian(c[i]));
        }
        // The state is linear: crc(s, A‖B) = shift(s over |B| zeros of A's end state) xor crc(0, B).
        crc = Shift(shift, crc) ^ crc1;
        return Shift(shift, crc) ^ crc2;
    }

    private static ulong LittleEndian(ulong word) => BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);

    /// <summary>A CRC state moved past a block of zeros, with that block's table.</summary>
    private static uint Shift(uint[] table, uint crc) =>
        table[crc & 0xFF] ^ table[256 + ((crc >> 8) & 0xFF)] ^ table[512 + ((crc >> 16) & 0xFF)] ^ table[768 + (crc >> 24)];

    /// <summary>The map "past <paramref name="length"/> zero bytes" (a power of two) as four tables of 256, one per byte of the state.</summary>
    private static uint[] ZerosTable(int length)
    {
        var op = ZerosOperator(length);
        var table = new uint[4 * 256];
        for (uint n = 0; n < 256; n++)
        {
            table[n] = Times(op, n);
            table[256 + n] = Times(op, n << 8);
            table[512 + n] = Times(op, n << 16);
            table[768 + n] = Times(op, n << 24);
        }
        return table;
    }

    /// <summary>The 32 × 32 GF(2) matrix that moves a state past <paramref name="length"/> zero bytes (a power of two), by squaring.</summary>
    private static uint[] ZerosOperator(int length)
    {
        // One zero bit: the reflected register shifts right, folding in the polynomial when bit 0 falls out.
        var odd = new uint[32];
        odd[0] = Polynomial;
        for (var n = 1; n < 32; n++) odd[n] = 1u << (n - 1);
        var even = Square(odd); // 2 bits
        odd = Square(even); // 4 bits
        while (true)
        {
            even = Square(odd); // 8 bits, i.e. one byte, on the first pass; then 4 bytes, 16 ...
            length >>= 1;
            if (length == 0) return even;
            odd = Square(even);
            length >>= 1;
            if (length == 0) return odd;
        }
    }

    private static uint Times(uint[] matrix, uint vector)
    {
        uint sum = 0;
        for (var i = 0; vector != 0; i++, vector >>= 1)
            if ((vector & 1) != 0) sum ^= matrix[i];
        return sum;
    }

    private static uint[] Square(uint[] matrix)
    {
        var square = new uint[32];
        for (var n = 0; n < 32; n++) square[n] = Times(matrix, matrix[n]);
        return square;
    }
}
