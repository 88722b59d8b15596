using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Records;

namespace KafkaActors.Testing.RawLog;

/// <summary>
/// Reads a topic's log as the broker stores it: whole record batches with their producer id, epoch and
/// base sequence, which consumers hide. Test oracles use it to tell a producer's duplicate from a
/// broker artefact (librdkafka's mock stores an idempotent retry twice) and to check sequence continuity.
/// CRC-32C of every batch is verified.
/// </summary>
public static class RawLogReader
{
    private const short MetadataVersion = 4;
    private const short FetchVersion = 11;

    /// <summary>Every batch of every partition, in offset order, from the log start offset to the high watermark.</summary>
    public static IReadOnlyDictionary<int, IReadOnlyList<RecordBatch>> ReadBatches(string bootstrapServers, string topic, TimeSpan timeout)
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
            var result = new SortedDictionary<int, IReadOnlyList<RecordBatch>>();
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

    private static List<RecordBatch> ReadPartition(KafkaWireClient connection, string topic, int partition, DateTime deadline)
    {
        var batches = new List<RecordBatch>();
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
            if (offset >= fetched.HighWatermark) return batches;
            var read = RecordBatchReader.ReadAll(fetched.Records);
            var fresh = read.Where(b => b.LastOffset >= offset).ToList();
            if (fresh.Count == 0) throw new InvalidOperationException($"Fetch {topic}-{partition}@{offset} below the high watermark {fetched.HighWatermark} returned no batch.");
            batches.AddRange(fresh);
            offset = fresh[^1].LastOffset + 1;
        }
    }
}
