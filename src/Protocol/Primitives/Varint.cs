using System.Runtime.CompilerServices;

namespace KafkaActors.Protocol.Primitives;

/// <summary>
/// Kafka's variable-length integers: unsigned LEB128 for lengths in flexible versions, and
/// zig-zag encoded varint/varlong inside RecordBatch v2 records. The writers and sizes are inlined: a record's
/// append uses several of them.
/// </summary>
public static class Varint
{
    public const int MaxLength32 = 5;
    public const int MaxLength64 = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteUnsigned(Span<byte> destination, uint value) => WriteUnsigned64(destination, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteUnsigned64(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>
    /// Without bounds checks, for a caller that has sized <paramref name="destination"/> (a record's append): the
    /// unsigned varint at <paramref name="at"/>; returns the index after it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int WriteUnsigned64(ref byte destination, int at, ulong value)
    {
        while (value >= 0x80)
        {
            Unsafe.Add(ref destination, at++) = (byte)(value | 0x80);
            value >>= 7;
        }
        Unsafe.Add(ref destination, at++) = (byte)value;
        return at;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteSigned(Span<byte> destination, int value) =>
        WriteUnsigned(destination, ZigZag(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteSigned64(Span<byte> destination, long value) =>
        WriteUnsigned64(destination, ZigZag64(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ZigZag64(long value) => (ulong)((value << 1) ^ (value >> 63));

    /// <summary>Bytes the zig-zag varint of <paramref name="value"/> takes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfSigned(int value) => SizeOfUnsigned(ZigZag(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfSigned64(long value) => SizeOfUnsigned64(ZigZag64(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfUnsigned(uint value)
    {
        // 1 byte per 7 bits, at least one byte.
        var bits = 32 - System.Numerics.BitOperations.LeadingZeroCount(value | 1);
        return (int)((uint)(bits + 6) / 7); // unsigned: a multiply and a shift, without a signed division's corrections
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfUnsigned64(ulong value)
    {
        var bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(value | 1);
        return (int)((uint)(bits + 6) / 7);
    }

    /// <summary>Reads an unsigned varint; returns bytes consumed, or 0 when the input ends first.</summary>
    public static int TryReadUnsigned(ReadOnlySpan<byte> source, out uint value)
    {
        value = 0;
        var shift = 0;
        for (var i = 0; i < source.Length && i < MaxLength32; i++)
        {
            var b = source[i];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return i + 1;
            shift += 7;
        }
        if (source.Length >= MaxLength32) throw new KafkaProtocolException("Varint is longer than 5 bytes.");
        return 0;
    }

    public static int TryReadUnsigned64(ReadOnlySpan<byte> source, out ulong value)
    {
        value = 0;
        var shift = 0;
        for (var i = 0; i < source.Length && i < MaxLength64; i++)
        {
            var b = source[i];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return i + 1;
            shift += 7;
        }
        if (source.Length >= MaxLength64) throw new KafkaProtocolException("Varlong is longer than 10 bytes.");
        return 0;
    }

    public static int UnZigZag(uint value) => (int)(value >> 1) ^ -(int)(value & 1);

    public static long UnZigZag64(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
