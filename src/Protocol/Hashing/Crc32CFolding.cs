using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KafkaActors.Protocol.Hashing;

/// <summary>
/// CRC-32C of long inputs by carry-less multiplication (Intel's "Fast CRC Computation Using PCLMULQDQ", reflected):
/// the CRC instruction handles 8 bytes per cycle at best, while VPCLMULQDQ on 512-bit registers folds 64 bytes per
/// multiply pair. Used by <see cref="Crc32C"/> on x64 with AVX-512 VPCLMULQDQ. Stateless and thread-safe.
///
/// Reflected bits: a 128-bit lane loaded from memory holds 16 message bytes, its bit k the coefficient of x^(127-k)
/// (bit 0 of the first byte is the highest). Moving a lane D bytes further is multiplying by x^(8D) modulo P:
/// its first 8 bytes (lower qword, A_hi) by x^(8D+64), the next 8 (A_lo) by x^(8D). CLMUL of two reflected qwords
/// yields the product times x, and a 32-bit reflected constant in a qword's low half stands for itself times x^32,
/// so the two constants are x^(8D+31) and x^(8D-33) modulo P, reflected.
/// </summary>
internal static class Crc32CFolding
{
    /// <summary>Bytes per main-loop step: four 64-byte accumulators.</summary>
    public const int Step = 256;

    /// <summary>The shortest input it takes: its first step loads four accumulators (measured faster than the CRC instruction from here on).</summary>
    public const int MinLength = Step;

    public static bool IsSupported => Pclmulqdq.V512.IsSupported && Sse42.X64.IsSupported;

    /// <summary>
    /// Continues a running (non-inverted) CRC state over the longest multiple of 16 bytes of <paramref name="data"/>
    /// (at least <see cref="MinLength"/>), returning the state and how many bytes it consumed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Update(uint crc, ReadOnlySpan<byte> data, out int consumed)
    {
        // Literal constants, so the JIT embeds them: static fields would need a class-initialization check whose helper
        // call makes the register allocator keep the accumulators on the stack. Pairs for 16 … 256 bytes, computed as
        // the summary says (x^(8D+31) mod P and x^(8D-33) mod P, bit-reflected); every one is exercised by the tests.
        var fold16 = Vector128.Create(0xF20C0DFEul, 0x493C7D27ul);
        var fold32 = Vector128.Create(0x3DA6D0CBul, 0xBA4FC28Eul);
        var fold48 = Vector128.Create(0x1C291D04ul, 0xDDC0152Bul);
        var fold64 = Lanes(0x740EEF02ul, 0x9E4ADDF8ul);
        var fold128 = Lanes(0x6992CEA2ul, 0x0D3B6092ul);
        var fold192 = Lanes(0xA87AB8A8ul, 0xAB7AFF2Aul);
        var fold256 = Lanes(0xDCB17AA4ul, 0xB9E02B86ul);

        ref var start = ref MemoryMarshal.GetReference(data);
        var length = data.Length;
        // The running state is XORed into the first four message bytes.
        var a0 = Vector512.LoadUnsafe(ref start).AsUInt64() ^ Vector512.CreateScalar((ulong)crc);
        var a1 = Vector512.LoadUnsafe(ref start, 64).AsUInt64();
        var a2 = Vector512.LoadUnsafe(ref start, 128).AsUInt64();
        var a3 = Vector512.LoadUnsafe(ref start, 192).AsUInt64();
        nuint offset = Step;
        for (; (int)offset <= length - Step; offset += Step)
        {
            a0 = Fold(a0, fold256) ^ Vector512.LoadUnsafe(ref start, offset).AsUInt64();
            a1 = Fold(a1, fold256) ^ Vector512.LoadUnsafe(ref start, offset + 64).AsUInt64();
            a2 = Fold(a2, fold256) ^ Vector512.LoadUnsafe(ref start, offset + 128).AsUInt64();
            a3 = Fold(a3, fold256) ^ Vector512.LoadUnsafe(ref start, offset + 192).AsUInt64();
        }
        var a = Fold(a0, fold192) ^ Fold(a1, fold128) ^ Fold(a2, fold64) ^ a3;
        for (; (int)offset <= length - 64; offset += 64)
            a = Fold(a, fold64) ^ Vector512.LoadUnsafe(ref start, offset).AsUInt64();

        var x = Fold(a.GetLower().GetLower(), fold48) ^ Fold(a.GetLower().GetUpper(), fold32)
            ^ Fold(a.GetUpper().GetLower(), fold16) ^ a.GetUpper().GetUpper();
        for (; (int)offset <= length - 16; offset += 16)
            x = Fold(x, fold16) ^ Vector128.LoadUnsafe(ref start, offset).AsUInt64();

        consumed = (int)offset;
        // The last 16 bytes, folded, through the CRC instruction from a zero state.
        return (uint)Sse42.X64.Crc32(Sse42.X64.Crc32(0ul, x.ToScalar()), x.GetElement(1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Fold(Vector512<ulong> lanes, Vector512<ulong> constants) =>
        Pclmulqdq.V512.CarrylessMultiply(lanes, constants, 0x00) ^ Pclmulqdq.V512.CarrylessMultiply(lanes, constants, 0x11);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> lane, Vector128<ulong> constants) =>
        Pclmulqdq.CarrylessMultiply(lane, constants, 0x00) ^ Pclmulqdq.CarrylessMultiply(lane, constants, 0x11);

    /// <summary>One constant pair in each of the four 128-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Lanes(ulong high, ulong low) => Vector512.Create(high, low, high, low, high, low, high, low);
}
