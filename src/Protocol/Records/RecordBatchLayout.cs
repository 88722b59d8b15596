namespace KafkaActors.Protocol.Records;

/// <summary>
/// Byte offsets of the RecordBatch v2 header (magic 2). The CRC-32C covers everything from
/// <see cref="Attributes"/> to the end of the batch, so producer id, epoch and sequence are inside it.
/// </summary>
public static class RecordBatchLayout
{
    public const int BaseOffset = 0;
    public const int BatchLength = 8;
    public const int PartitionLeaderEpoch = 12;
    public const int Magic = 16;
    public const int Crc = 17;
    public const int Attributes = 21;
    public const int LastOffsetDelta = 23;
    public const int BaseTimestamp = 27;
    public const int MaxTimestamp = 35;
    public const int ProducerId = 43;
    public const int ProducerEpoch = 51;
    public const int BaseSequence = 53;
    public const int RecordCount = 57;
    public const int HeaderSize = 61;

    /// <summary>Bytes before <see cref="BatchLength"/>'s count starts (base offset + the length itself).</summary>
    public const int LogOverhead = 12;

    public const byte CurrentMagic = 2;

    public const short CompressionMask = 0x07;
    public const short TimestampTypeFlag = 0x08;
    public const short TransactionalFlag = 0x10;
    public const short ControlFlag = 0x20;

    public const long NoProducerId = -1;
    public const short NoProducerEpoch = -1;
    public const int NoSequence = -1;
}
