using System.Buffers.Binary;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Records;
using L = KafkaActors.Protocol.Records.RecordBatchLayout;

namespace KafkaActors.Testing.RawLog;

/// <summary>
/// Reads a topic's log as the broker stores it: whole record batches with their producer id, epoch and
/// base sequence, which consumers hide, and the transaction markers (control batches). Test oracles use it to
/// tell a producer's duplicate from a broker artefact (librdkafka's mock stores an idempotent retry twice), to
/// check sequence continuity (<see cref="LogSequenceChecker"/>) and to see what read_committed returns
/// (<see cref="PartitionLog.ReadCommitted"/>). Stateless and thread-safe; each call opens its own connections.
/// </summary>
/// <remarks>
/// CRC-32C of every data batch is verified. Control batches are exempt: the mock writes them with CRC 0.
/// Fetches are read_uncommitted, so the whole log up to the high watermark is returned.
/// </remarks>
public static class RawLogReader
{
    private const short MetadataVersion = 4;
    private const short FetchVersion = 11;

    /// <summary>Every batch of every partition, in offset order, from the log start offset to the high watermark.</summary>
    public static IReadOnlyDictionary<int, IReadOnlyList<RecordBatch>> ReadBatches(string bootstrapServers, string topic, TimeSpan timeout) =>
        ReadLogs(bootstrapServers, topic, timeout)
            .ToDictionary(kv => kv.Key, kv => (IReadOnlyList<RecordBatch>)kv.Value.Batches.Select(b => b.Batch).ToList());

    /// <summary>Every partition's log (batches, watermarks, transaction view), keyed by partition id.</summary>
    /// <exception cref="TimeoutException">The reads did not finish within <paramref name="timeout"/>.</exception>
    public static IReadOnlyDictionary<int, PartitionLog> ReadLogs(string bootstrapServers, string topic, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        MetadataResponse metadata;
        using (var bootstrap = KafkaWireClient.Connect(bootstrapServers.Split(',')[0].Trim(), timeout))
            metadata = MetadataResponse.Parse(bootstrap.Send(new MetadataRequest([topic], false), MetadataVersion), MetadataVersion);

        var topicMetadata = metadata.Topics.SingleOrDefault(t => t.Name == topic)
                            ?? throw new InvalidOperationException($"Topic {topic} is not in the metadata.");
        if (topicMetadata.ErrorCode != ErrorCode.None) throw new InvalidOperationException($"Topic {topic}: {topicMetadata.ErrorCode.KafkaName()}");

        var connections = new Dictionary<int, KafkaWireClient>();
        try
        {
            var result = new SortedDictionary<int, PartitionLog>();
            foreach (var partition in topicMetadata.Partitions.OrderBy(p => p.PartitionIndex))
            {
                if (!connections.TryGetValue(partition.LeaderId, out var connection))
                {
                    var broker = metadata.Brokers.Single(b => b.NodeId == partition.LeaderId);
                    connections[partition.LeaderId] = connection = KafkaWireClient.Connect(broker.Host, broker.Port, timeout);
                }
                result[partition.PartitionIndex] = ReadPartition(connection, topic, partition.PartitionIndex, deadline);
            }
            return result;
        }
        finally
        {
            foreach (var connection in connections.Values) connection.Dispose();
        }
    }

    /// <summary>
    /// What a read_committed consumer of <paramref name="topic"/> returns, computed from the stored log's markers (see
    /// <see cref="PartitionLog"/>; the mock's own Fetch does not implement read_committed). Ordered by partition, then offset.
    /// </summary>
    public static IReadOnlyList<ConsumedRecord> ReadCommitted(string bootstrapServers, string topic, TimeSpan timeout) =>
        ReadLogs(bootstrapServers, topic, timeout).Values.SelectMany(log => log.ReadCommitted()).ToList();

    /// <summary>What a read_uncommitted consumer of <paramref name="topic"/> returns (every data record, no markers), from the stored log.</summary>
    public static IReadOnlyList<ConsumedRecord> ReadUncommitted(string bootstrapServers, string topic, TimeSpan timeout) =>
        ReadLogs(bootstrapServers, topic, timeout).Values.SelectMany(log => log.ReadUncommitted()).ToList();

    /// <summary>
    /// Splits fetched record data into batches, verifying the CRC of data batches only. A trailing partial batch
    /// (Fetch answers may end with one) is ignored.
    /// </summary>
    internal static List<RecordBatch> Decode(ReadOnlySpan<byte> data)
    {
        var batches = new List<RecordBatch>();
        var offset = 0;
        while (data.Length - offset >= L.LogOverhead)
        {
            var total = L.LogOverhead + BinaryPrimitives.ReadInt32BigEndian(data[(offset + L.BatchLength)..]);
            if (data.Length - offset < total) break;
            var batch = data.Slice(offset, total);
            var control = batch.Length >= L.HeaderSize && (BinaryPrimitives.ReadInt16BigEndian(batch[L.Attributes..]) & L.ControlFlag) != 0;
            batches.Add(RecordBatchReader.Read(batch, verifyCrc: !control));
            offset += total;
        }
        return batches;
    }

    private static PartitionLog ReadPartition(KafkaWireClient connection, string topic, int partition, DateTime deadline)
    {
        var batches = new List<StoredBatch>();
        var offset = 0L;
        while (true)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Reading {topic}-{partition} did not finish in time (at offset {offset}).");
            var body = connection.Send(new FetchRequest(topic, [new FetchPartition(partition, offset, 8 * 1024 * 1024)], MaxWaitMs: 0, MinBytes: 0), FetchVersion);
            var fetched = FetchResponse.Parse(body, FetchVersion).Partitions.Single();
            if (fetched.ErrorCode == ErrorCode.OffsetOutOfRange && fetched.LogStartOffset > offset)
            {
                offset = fetched.LogStartOffset; // the mock trims old data: start where the log starts
                continue;
            }
            if (fetched.ErrorCode != ErrorCode.None) throw new InvalidOperationException($"Fetch {topic}-{partition}@{offset}: {fetched.ErrorCode.KafkaName()}");
            if (offset >= fetched.HighWatermark)
            {
                var logStart = batches.Count > 0 ? Math.Min(batches[0].BaseOffset, fetched.LogStartOffset) : fetched.LogStartOffset;
                return new PartitionLog(topic, partition, logStart, fetched.HighWatermark, fetched.LastStableOffset, batches);
            }
            var fresh = Decode(fetched.Records).Where(b => b.LastOffset >= offset).ToList();
            if (fresh.Count == 0) throw new InvalidOperationException($"Fetch {topic}-{partition}@{offset} below the high watermark {fetched.HighWatermark} returned no batch.");
            batches.AddRange(fresh.Select(b => new StoredBatch(partition, b)));
            offset = fresh[^1].LastOffset + 1;
        }
    }
}
