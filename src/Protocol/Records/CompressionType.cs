namespace KafkaActors.Protocol.Records;

/// <summary>The codec ids of RecordBatch attributes bits 0-2.</summary>
public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
