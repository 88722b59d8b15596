using System.Buffers.Binary;
using KafkaActors.Protocol.Primitives;
using Snappier;

namespace KafkaActors.Protocol.Compression;

/// <summary>
/// Snappy in the xerial "snappy-java" framing that Java's producer writes (magic header, then
/// blocks of at most 32 KiB each prefixed by a big-endian int32 length); reads raw snappy too,
/// which some clients send.
/// </summary>
internal static class SnappyCodec
{
    private const int BlockSize = 32 * 1024;
    private static ReadOnlySpan<byte> Magic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];
    private const int HeaderSize = 16; // magic, version, compatible version

    public static void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        var header = destination.GetSpan(HeaderSize);
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 1);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], 1);
        destination.Advance(HeaderSize);

        for (var offset = 0; offset < source.Length; offset += BlockSize)
        {
            var block = source.Slice(offset, Math.Min(BlockSize, source.Length - offset));
            var span = destination.GetSpan(4 + Snappy.GetMaxCompressedLength(block.Length));
            var written = Snappy.Compress(block, span[4..]);
            BinaryPrimitives.WriteInt32BigEndian(span, written);
            destination.Advance(4 + written);
        }
    }

    public static void Decompress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        if (source.Length < HeaderSize || !source[..Magic.Length].SequenceEqual(Magic))
        {
            DecompressBlock(source, destination);
            return;
        }
        var offset = HeaderSize;
        while (offset < source.Length)
        {
            if (source.Length - offset < 4) throw new KafkaProtocolException("Truncated snappy block length.");
            var length = BinaryPrimitives.ReadInt32BigEndian(source[offset..]);
            offset += 4;
            if (length < 0 || length > source.Length - offset) throw new KafkaProtocolException("Truncated snappy block.");
            DecompressBlock(source.Slice(offset, length), destination);
            offset += length;
        }
    }

    private static void DecompressBlock(ReadOnlySpan<byte> block, PooledBufferWriter destination)
    {
        var length = Snappy.GetUncompressedLength(block);
        var written = Snappy.Decompress(block, destination.GetSpan(length));
        destination.Advance(written);
    }
}
