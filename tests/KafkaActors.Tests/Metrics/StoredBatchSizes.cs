using KafkaActors.Protocol.Primitives;
using KafkaActors.Protocol.Records;
using KafkaActors.Testing.RawLog;
using KafkaActors.Tests.Support;

namespace KafkaActors.Tests.Metrics;

/// <summary>
/// What the broker stored for a topic, measured as the producer encoded it: each record's size in its
/// RecordBatch v2 (from the offset and timestamp deltas the reader sees) and each batch's size (header plus
/// records; uncompressed batches only). Read with the raw log reader, independent of the producer. Immutable.
/// </summary>
public sealed record StoredBatchSizes(IReadOnlyDictionary<int, IReadOnlyList<int>> BatchBytesByPartition, IReadOnlyList<int> RecordSizes)
{
    public int Batches => BatchBytesByPartition.Values.Sum(b => b.Count);

    public long BatchBytes => BatchBytesByPartition.Values.Sum(b => b.Sum(x => (long)x));

    public static StoredBatchSizes Read(string bootstrap, string topic)
    {
        var byPartition = new Dictionary<int, IReadOnlyList<int>>();
        var records = new List<int>();
        foreach (var (partition, batches) in RawLogReader.ReadBatches(bootstrap, topic, KafkaFixtureBase.ReadTimeout))
        {
            var sizes = new List<int>();
            foreach (var batch in batches)
            {
                if (batch.Compression != CompressionType.None) throw new InvalidOperationException("compressed batches have no stored record sizes");
                var bytes = RecordBatchLayout.HeaderSize;
                foreach (var record in batch.Records)
                {
                    var size = SizeOf(record, batch);
                    records.Add(size);
                    bytes += size;
                }
                sizes.Add(bytes);
            }
            byPartition[partition] = sizes;
        }
        return new StoredBatchSizes(byPartition, records);
    }

    /// <summary>A record's bytes in a RecordBatch v2: its length varint, then attributes, deltas, key, value and headers.</summary>
    private static int SizeOf(Record record, RecordBatch batch)
    {
        var body = 1 + Varint.SizeOfSigned64(record.Timestamp - batch.BaseTimestamp) + Varint.SizeOfSigned((int)(record.Offset - batch.BaseOffset))
                   + Bytes(record.Key) + Bytes(record.Value) + Varint.SizeOfSigned(record.Headers.Count);
        foreach (var header in record.Headers)
        {
            var key = System.Text.Encoding.UTF8.GetByteCount(header.Key);
            body += Varint.SizeOfSigned(key) + key + Bytes(header.Value);
        }
        return Varint.SizeOfSigned(body) + body;
    }

    private static int Bytes(byte[]? value) => value is null ? Varint.SizeOfSigned(-1) : Varint.SizeOfSigned(value.Length) + value.Length;
}
