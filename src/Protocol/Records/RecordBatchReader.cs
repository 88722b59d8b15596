using System.Buffers.Binary;
using KafkaActors.Protocol.Compression;
using KafkaActors.Protocol.Hashing;
using KafkaActors.Protocol.Primitives;
using L = KafkaActors.Protocol.Records.RecordBatchLayout;

namespace KafkaActors.Protocol.Records;

/// <summary>
/// Decodes RecordBatch v2 data (a Produce request's records, or a log segment), checking CRC-32C and
/// decompressing. A trailing partial batch (as Fetch responses may end with) is ignored.
/// Not on the producer's hot path: it allocates freely.
/// </summary>
public static class RecordBatchReader
{
    public static List<RecordBatch> ReadAll(ReadOnlySpan<byte> data, bool verifyCrc = true)
    {
        var batches = new List<RecordBatch>();
        var offset = 0;
        while (data.Length - offset >= L.LogOverhead)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(data[(offset + L.BatchLength)..]);
            var total = L.LogOverhead + length;
            if (length < L.HeaderSize - L.LogOverhead) throw new KafkaProtocolException($"Batch length {length} is too small.");
            if (data.Length - offset < total) break;
            batches.Add(Read(data.Slice(offset, total), verifyCrc));
            offset += total;
        }
        return batches;
    }

    public static RecordBatch Read(ReadOnlySpan<byte> batch, bool verifyCrc = true)
    {
        if (batch.Length < L.HeaderSize) throw new KafkaProtocolException("Batch shorter than its header.");
        var magic = batch[L.Magic];
        if (magic != L.CurrentMagic) throw new KafkaProtocolException($"Unsupported magic {magic}; only RecordBatch v2 is read.");
        var crc = BinaryPrimitives.ReadUInt32BigEndian(batch[L.Crc..]);
        if (verifyCrc)
        {
            var actual = Crc32C.Compute(batch[L.Attributes..]);
            if (actual != crc) throw new KafkaProtocolException($"CRC-32C mismatch: stored {crc:x8}, computed {actual:x8}.");
        }

        var baseOffset = BinaryPrimitives.ReadInt64BigEndian(batch);
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[L.Attributes..]);
        var baseTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[L.BaseTimestamp..]);
        var count = BinaryPrimitives.ReadInt32BigEndian(batch[L.RecordCount..]);
        var compression = (CompressionType)(attributes & L.CompressionMask);

        var records = new List<Record>(Math.Max(0, Math.Min(count, 1 << 16)));
        var section = batch[L.HeaderSize..];
        if (compression == CompressionType.None)
        {
            ReadRecords(section, count, baseOffset, baseTimestamp, records);
        }
        else
        {
            using var plain = new PooledBufferWriter(section.Length * 4);
            CompressionCodecs.Decompress(compression, section, plain);
            ReadRecords(plain.WrittenSpan, count, baseOffset, baseTimestamp, records);
        }

        return new RecordBatch(
            baseOffset,
            BinaryPrimitives.ReadInt32BigEndian(batch[L.PartitionLeaderEpoch..]),
            crc,
            attributes,
            BinaryPrimitives.ReadInt32BigEndian(batch[L.LastOffsetDelta..]),
            baseTimestamp,
            BinaryPrimitives.ReadInt64BigEndian(batch[L.MaxTimestamp..]),
            BinaryPrimitives.ReadInt64BigEndian(batch[L.ProducerId..]),
            BinaryPrimitives.ReadInt16BigEndian(batch[L.ProducerEpoch..]),
            BinaryPrimitives.ReadInt32BigEndian(batch[L.BaseSequence..]),
            records);
    }

    private static void ReadRecords(ReadOnlySpan<byte> section, int count, long baseOffset, long baseTimestamp, List<Record> records)
    {
        var reader = new ProtocolReader(section);
        for (var i = 0; i < count; i++)
        {
            var length = reader.ReadVarint();
            var start = reader.Position;
            reader.ReadInt8(); // attributes
            var timestampDelta = reader.ReadVarlong();
            var offsetDelta = reader.ReadVarint();
            var key = ReadField(ref reader);
            var value = ReadField(ref reader);
            var headerCount = reader.ReadVarint();
            var headers = headerCount == 0 ? Array.Empty<RecordHeader>() : new RecordHeader[headerCount];
            for (var h = 0; h < headerCount; h++)
            {
                var headerKey = ReadField(ref reader) ?? throw new KafkaProtocolException("Null header key.");
                headers[h] = new RecordHeader(System.Text.Encoding.UTF8.GetString(headerKey), ReadField(ref reader));
            }
            if (reader.Position - start != length)
                throw new KafkaProtocolException($"Record length {length} does not match its {reader.Position - start} bytes.");
            records.Add(new Record(baseOffset + offsetDelta, baseTimestamp + timestampDelta, key, value, headers));
        }
        if (!reader.End) throw new KafkaProtocolException($"{reader.Remaining} bytes left after {count} records.");
    }

    private static byte[]? ReadField(ref ProtocolReader reader)
    {
        var length = reader.ReadVarint();
        return length < 0 ? null : reader.ReadRaw(length).ToArray();
    }
}
