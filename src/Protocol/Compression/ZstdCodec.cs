using KafkaActors.Protocol.Primitives;
using ZstdSharp;

namespace KafkaActors.Protocol.Compression;

/// <summary>
/// Zstandard frames. Compression contexts are costly to create, so each thread keeps one per level.
/// Decompression streams, because Java's producer writes frames without a content size.
/// </summary>
internal static class ZstdCodec
{
    public const int DefaultLevel = 3;

    [ThreadStatic] private static Dictionary<int, Compressor>? _compressors;

    public static void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination, int level)
    {
        var compressors = _compressors ??= new Dictionary<int, Compressor>();
        if (!compressors.TryGetValue(level, out var compressor))
            compressors[level] = compressor = new Compressor(level);
        var span = destination.GetSpan(Compressor.GetCompressBound(source.Length));
        destination.Advance(compressor.Wrap(source, span));
    }

    public static unsafe void Decompress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        fixed (byte* pointer = source)
        {
            using var input = new UnmanagedMemoryStream(pointer, source.Length);
            using var zstd = new DecompressionStream(input);
            zstd.CopyTo(new BufferWriterStream(destination));
        }
    }
}
