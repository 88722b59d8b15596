using System.Buffers.Binary;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Hashing;
using L = KafkaActors.Protocol.Records.RecordBatchLayout;

namespace KafkaActors.Testing.Secure.Idempotence;

/// <summary>The header fields of one produced batch that idempotence is decided on.</summary>
internal readonly record struct ProducedBatch(long ProducerId, short ProducerEpoch, int FirstSequence, int LastSequence, int LastOffsetDelta, long MaxTimestamp)
{
    public bool HasProducerId => ProducerId >= 0;

    /// <summary>Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from int.MaxValue to 0.</summary>
    public static int IncrementSequence(int sequence, int increment) =>
        sequence > int.MaxValue - increment ? increment - (int.MaxValue - sequence) - 1 : sequence + increment;

    public override string ToString() => $"pid {ProducerId} epoch {ProducerEpoch} seq {FirstSequence}..{LastSequence}";
}

/// <summary>
/// What a broker checks of a produced records field before the producer state (Kafka's ProduceRequest.validateRecords
/// and DefaultRecordBatch.ensureValid): exactly one batch of magic 2 (else INVALID_RECORD), complete, with a matching
/// CRC-32C (else CORRUPT_MESSAGE). Stateless; thread-safe.
/// </summary>
internal static class BatchHeaderCheck
{
    /// <summary>Returns <see cref="ErrorCode.None"/> and the batch's header, or the error and a message for the client.</summary>
    public static (ErrorCode Error, string? Message) Validate(ReadOnlySpan<byte> records, out ProducedBatch batch)
    {
        batch = default;
        if (records.IsEmpty) return (ErrorCode.InvalidRecord, "Produce requests must have at least one record batch per partition");
        if (records.Length < L.HeaderSize) return (ErrorCode.CorruptMessage, $"Record batch of {records.Length} bytes is shorter than its header");
        var size = BinaryPrimitives.ReadInt32BigEndian(records[L.BatchLength..]) + L.LogOverhead;
        if (size < L.HeaderSize || size > records.Length) return (ErrorCode.CorruptMessage, $"Record batch size {size} does not match the {records.Length} bytes sent");
        if (records[L.Magic] != L.CurrentMagic) return (ErrorCode.InvalidRecord, "Produce requests are only allowed to contain record batches with magic version 2");
        if (size < records.Length) return (ErrorCode.InvalidRecord, "Produce requests are only allowed to contain exactly one record batch per partition");
        var stored = BinaryPrimitives.ReadUInt32BigEndian(records[L.Crc..]);
        var computed = Crc32C.Compute(records[L.Attributes..size]);
        if (stored != computed) return (ErrorCode.CorruptMessage, $"Record batch is corrupt (stored crc = {stored}, computed crc = {computed})");
        var count = BinaryPrimitives.ReadInt32BigEndian(records[L.RecordCount..]);
        var lastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(records[L.LastOffsetDelta..]);
        if (count <= 0 || lastOffsetDelta != count - 1) return (ErrorCode.InvalidRecord, $"Record batch has {count} records but last offset delta {lastOffsetDelta}");
        var firstSequence = BinaryPrimitives.ReadInt32BigEndian(records[L.BaseSequence..]);
        batch = new ProducedBatch(
            BinaryPrimitives.ReadInt64BigEndian(records[L.ProducerId..]),
            BinaryPrimitives.ReadInt16BigEndian(records[L.ProducerEpoch..]),
            firstSequence,
            firstSequence < 0 ? firstSequence : ProducedBatch.IncrementSequence(firstSequence, lastOffsetDelta),
            lastOffsetDelta,
            BinaryPrimitives.ReadInt64BigEndian(records[L.MaxTimestamp..]));
        return (ErrorCode.None, null);
    }
}
