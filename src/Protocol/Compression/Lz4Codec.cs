using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Compression;

/// <summary>
/// LZ4 frame format as Kafka's Lz4BlockOutputStream writes it: independent 64 KiB blocks, no block or
/// content checksums, a correct header checksum. Kafka levels 1-17; the default 9 means lz4's fast
/// compressor (as in Java), any other level the high-compression one.
/// </summary>
internal static class Lz4Codec
{
    public const int DefaultLevel = 9;

    public static void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination, int level)
    {
        var settings = new LZ4EncoderSettings
        {
            ChainBlocks = false,
            BlockSize = 64 * 1024,
            BlockChecksum = false,
            ContentChecksum = false,
            CompressionLevel = ToLz4Level(level),
        };
        LZ4Frame.Encode(source, destination, settings);
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
