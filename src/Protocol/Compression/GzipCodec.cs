using System.IO.Compression;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Compression;

/// <summary>gzip (RFC 1952), as Java's GZIPOutputStream writes it. Levels 1-9, -1 for zlib's default.</summary>
internal static class GzipCodec
{
    public static void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination, int level)
    {
        var options = new ZLibCompressionOptions { CompressionLevel = level };
        using var gzip = new GZipStream(new BufferWriterStream(destination), options, leaveOpen: false);
        gzip.Write(source);
    }

    public static unsafe void Decompress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        fixed (byte* pointer = source)
        {
            using var input = new UnmanagedMemoryStream(pointer, source.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            gzip.CopyTo(new BufferWriterStream(destination));
        }
    }
}
