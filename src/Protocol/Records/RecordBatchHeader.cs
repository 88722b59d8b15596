using System.Buffers.Binary;
using KafkaActors.Protocol.Hashing;
using L = KafkaActors.Protocol.Records.RecordBatchLayout;

namespace KafkaActors.Protocol.Records;

/// <summary>Writes and patches the 61-byte RecordBatch v2 header in place, keeping the CRC-32C right.</summary>
public static class RecordBatchHeader
{
    /// <summary>
    /// Fills the header of <paramref name="batch"/> (the whole batch: header + records section)
    /// and computes its CRC. A producer sends base offset 0 and partition leader epoch -1.
    /// </summary>
    public static void Write(
        Span<byte> batch,
        CompressionType compression,
        bool transactional,
        int recordCount,
        long baseTimestamp,
        long maxTimestamp,
        long producerId,
        short producerEpoch,
        int baseSequence)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch[L.BaseOffset..], 0);
        BinaryPrimitives.WriteInt32BigEndian(batch[L.BatchLength..], batch.Length - L.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch[L.PartitionLeaderEpoch..], -1);
        batch[L.Magic] = L.CurrentMagic;
        var attributes = (short)((short)compression & L.CompressionMask);
        if (transactional) attributes |= L.TransactionalFlag;
        BinaryPrimitives.WriteInt16BigEndian(batch[L.Attributes..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch[L.LastOffsetDelta..], recordCount - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch[L.BaseTimestamp..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[L.MaxTimestamp..], maxTimestamp);
        BinaryPrimitives.WriteInt32BigEndian(batch[L.RecordCount..], recordCount);
        SetProducerState(batch, producerId, producerEpoch, baseSequence);
    }

    /// <summary>
    /// Rewrites producer id, epoch and base sequence of a finished batch and recomputes the CRC
    /// (after an epoch bump, batches that were never written get new sequence numbers).
    /// </summary>
    public static void SetProducerState(Span<byte> batch, long producerId, short producerEpoch, int baseSequence)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch[L.ProducerId..], producerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[L.ProducerEpoch..], producerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[L.BaseSequence..], baseSequence);
        UpdateCrc(batch);
    }

    public static void UpdateCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[L.Crc..], Crc32C.Compute(batch[L.Attributes..]));

    public static long ReadProducerId(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt64BigEndian(batch[L.ProducerId..]);

    public static short ReadProducerEpoch(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt16BigEndian(batch[L.ProducerEpoch..]);

    public static int ReadBaseSequence(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32BigEndian(batch[L.BaseSequence..]);

    public static int ReadRecordCount(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32BigEndian(batch[L.RecordCount..]);
}
