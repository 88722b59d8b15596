using System.Buffers.Binary;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using K4os.Hash.xxHash;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Compression;

/// <summary>
/// LZ4 frame format as Kafka's Lz4BlockOutputStream writes it: independent 64 KiB blocks, no block or
/// content checksums, a correct header checksum. Kafka levels 1-17; the default 9 means lz4's fast
/// compressor (as in Java), any other level the high-compression one. Stateless and thread-safe.
///
/// The frame is written here rather than by K4os' frame encoder, which allocates an encoder and its buffers per
/// call: each block goes straight from the source into the destination with lz4's block compressor, so compressing
/// a batch allocates nothing. Reading still uses K4os' decoder, which understands every frame option (librdkafka's too).
/// </summary>
internal static class Lz4Codec
{
    public const int DefaultLevel = 9;

    private const uint Magic = 0x184D2204;

    /// <summary>FLG: version 01, independent blocks, no block checksum, no content size, no content checksum.</summary>
    private const byte Flags = 0x60;

    /// <summary>BD: a maximum block size of 64 KiB.</summary>
    private const byte BlockDescriptor = 0x40;

    private const int BlockSize = 64 * 1024;

    /// <summary>Bit 31 of a block's size: the block is stored as is (it did not get smaller).</summary>
    private const uint Uncompressed = 0x80000000;

    /// <summary>HC: the second byte of xxHash32 (seed 0) of FLG and BD (Kafka before KIP-57 wrongly hashed the magic too).</summary>
    private static readonly byte HeaderChecksum = (byte)(XXH32.DigestOf([Flags, BlockDescriptor]) >> 8);

    public static void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination, int level)
    {
        var lz4Level = ToLz4Level(level);
        var header = destination.GetSpan(7);
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        header[4] = Flags;
        header[5] = BlockDescriptor;
        header[6] = HeaderChecksum;
        destination.Advance(7);

        for (var offset = 0; offset < source.Length; offset += BlockSize)
        {
            var block = source.Slice(offset, Math.Min(BlockSize, source.Length - offset));
            var span = destination.GetSpan(4 + LZ4Codec.MaximumOutputSize(block.Length));
            var written = LZ4Codec.Encode(block, span[4..], lz4Level);
            // As Java: a block that does not get smaller is stored as is.
            if (written <= 0 || written >= block.Length)
            {
                block.CopyTo(span[4..]);
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)block.Length | Uncompressed);
                written = block.Length;
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)written);
            }
            destination.Advance(4 + written);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination.GetSpan(4), 0); // the end mark
        destination.Advance(4);
    }

    public static void Decompress(ReadOnlySpan<byte> source, PooledBufferWriter destination) =>
        LZ4Frame.Decode(source, destination);

    private static LZ4Level ToLz4Level(int level) => level switch
    {
        DefaultLevel or < 1 => LZ4Level.L00_FAST,
        < 3 => LZ4Level.L03_HC,
        > 12 => LZ4Level.L12_MAX,
        _ => (LZ4Level)level,
    };
}
