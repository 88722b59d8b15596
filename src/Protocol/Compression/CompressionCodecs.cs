using KafkaActors.Protocol.Primitives;
using KafkaActors.Protocol.Records;

namespace KafkaActors.Protocol.Compression;

/// <summary>
/// Compresses and decompresses the records section of a RecordBatch (Kafka compresses only the
/// records, never the 61-byte batch header). Levels follow Kafka's <c>compression.*.level</c> settings.
/// </summary>
public static class CompressionCodecs
{
    /// <summary>Kafka's default level per codec (gzip -1, lz4 9, zstd 3; snappy has none).</summary>
    public static int DefaultLevel(CompressionType type) => type switch
    {
        CompressionType.Gzip => -1,
        CompressionType.Lz4 => Lz4Codec.DefaultLevel,
        CompressionType.Zstd => ZstdCodec.DefaultLevel,
        _ => 0,
    };

    /// <summary>Whether <paramref name="level"/> is valid for the codec, with Kafka's ranges.</summary>
    public static bool IsValidLevel(CompressionType type, int level) => type switch
    {
        CompressionType.Gzip => level == -1 || level is >= 1 and <= 9,
        CompressionType.Lz4 => level is >= 1 and <= 17,
        CompressionType.Zstd => level is >= -131072 and <= 22,
        _ => true,
    };

    public static void Compress(CompressionType type, int level, ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        switch (type)
        {
            case CompressionType.Gzip: GzipCodec.Compress(source, destination, level); break;
            case CompressionType.Snappy: SnappyCodec.Compress(source, destination); break;
            case CompressionType.Lz4: Lz4Codec.Compress(source, destination, level); break;
            case CompressionType.Zstd: ZstdCodec.Compress(source, destination, level); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "Not a compression codec.");
        }
    }

    public static void Decompress(CompressionType type, ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        switch (type)
        {
            case CompressionType.Gzip: GzipCodec.Decompress(source, destination); break;
            case CompressionType.Snappy: SnappyCodec.Decompress(source, destination); break;
            case CompressionType.Lz4: Lz4Codec.Decompress(source, destination); break;
            case CompressionType.Zstd: ZstdCodec.Decompress(source, destination); break;
            default: throw new KafkaProtocolException($"Unknown compression codec {(int)type}.");
        }
    }
}
