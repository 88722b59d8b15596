using Confluent.Kafka;

namespace KafkaActors.Testing;

/// <summary>
/// Reads topics back with Confluent's consumer, as an oracle independent of the client under test.
/// CRCs are checked (the mock does not check them on write) except when reading at an explicit isolation level
/// (see there), nothing is committed, no group is joined. Stateless and thread-safe; each call uses its own consumer.
/// </summary>
public static class KafkaReader
{
    private static readonly TimeSpan DefaultMetadataTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Reads every partition of <paramref name="topic"/> from its low watermark up to (excluding) the
    /// high watermark observed when the call starts; records appended later are ignored.
    /// Returns records ordered by partition, then offset.
    /// </summary>
    /// <exception cref="TimeoutException">Not all partitions reached their high watermark in time.</exception>
    /// <exception cref="ConsumeException">E.g. a CRC mismatch (<see cref="ErrorCode.Local_BadMsg"/>).</exception>
    public static IReadOnlyList<ConsumedRecord> ReadAll(string bootstrapServers, string topic, TimeSpan timeout) =>
        ReadAll(Plain(bootstrapServers), topic, timeout);

    /// <summary>
    /// <see cref="ReadAll(string, string, TimeSpan)"/> with a base client configuration, e.g. a secure cluster's
    /// (<see cref="Secure.SecureEmbeddedKafka.ConfluentClientConfig"/>): bootstrap servers, security protocol, TLS and SASL settings.
    /// </summary>
    public static IReadOnlyList<ConsumedRecord> ReadAll(ClientConfig client, string topic, TimeSpan timeout) =>
        Read(client, topic, timeout, IsolationLevel.ReadUncommitted, checkCrcs: true);

    /// <summary>
    /// Reads every partition of a topic that holds transactions, at an isolation level: read_uncommitted returns every
    /// data record; read_committed only those of committed transactions (and non-transactional ones) below the last
    /// stable offset. Ends each partition at the high watermark observed at the start, or, in read_committed, at the
    /// partition's end as the consumer sees it (the last stable offset), so an open transaction does not block the read.
    /// Control records are never returned. CRCs are not checked: the mock writes its transaction markers with CRC 0,
    /// which Confluent's check fails on; verify data batches with <see cref="RawLog.RawLogReader"/>, which checks them.
    /// </summary>
    /// <remarks>
    /// Against librdkafka's mock (2.16.0, measured) read_committed returns the same records as read_uncommitted:
    /// the mock answers every Fetch with a last stable offset equal to the high watermark and no aborted transactions.
    /// Use <see cref="RawLog.PartitionLog.ReadCommitted"/> for a read_committed view of a mock's log; this method
    /// gives the real one against a real broker (<see cref="KafkaTestClusterKind.Container"/>).
    /// </remarks>
    public static IReadOnlyList<ConsumedRecord> ReadAll(string bootstrapServers, string topic, TimeSpan timeout, IsolationLevel isolation) =>
        ReadAll(Plain(bootstrapServers), topic, timeout, isolation);

    /// <summary><see cref="ReadAll(string, string, TimeSpan, IsolationLevel)"/> with a base client configuration (e.g. a secure cluster's).</summary>
    public static IReadOnlyList<ConsumedRecord> ReadAll(ClientConfig client, string topic, TimeSpan timeout, IsolationLevel isolation) =>
        Read(client, topic, timeout, isolation, checkCrcs: false);

    private static IReadOnlyList<ConsumedRecord> Read(ClientConfig client, string topic, TimeSpan timeout, IsolationLevel isolation, bool checkCrcs)
    {
        var deadline = DateTime.UtcNow + timeout;
        var partitions = GetPartitionCount(client, topic, timeout);
        using var consumer = CreateConsumer(client, isolation, checkCrcs);

        var watermarks = QueryWatermarks(consumer, topic, partitions, Remaining(deadline));
        var pending = watermarks.Where(w => w.Value.High > w.Value.Low).ToDictionary(w => w.Key, w => w.Value.High);
        var perPartition = watermarks.Keys.ToDictionary(p => p, _ => new List<ConsumedRecord>());
        if (pending.Count == 0)
            return [];

        consumer.Assign(pending.Keys.Select(p => new TopicPartitionOffset(topic, p, watermarks[p].Low)));
        while (pending.Count > 0)
        {
            var left = Remaining(deadline);
            if (left <= TimeSpan.Zero)
                throw new TimeoutException(Describe(topic, pending, perPartition, watermarks));
            var result = consumer.Consume(left);
            if (result is null)
                continue;
            var p = result.Partition.Value;
            if (!pending.TryGetValue(p, out var high))
                continue;
            if (!result.IsPartitionEOF && result.Offset.Value < high)
                perPartition[p].Add(ToRecord(result));
            // EOF or a skipped control record can end a partition without a record at high-1. In read_committed the
            // consumer's end is the last stable offset, which an open transaction holds below the high watermark.
            if (result.Offset.Value >= high - 1 || consumer.Position(result.TopicPartition).Value >= high
                || (result.IsPartitionEOF && isolation == IsolationLevel.ReadCommitted))
                pending.Remove(p);
        }
        return perPartition.OrderBy(kv => kv.Key).SelectMany(kv => kv.Value).ToList();
    }

    /// <summary>Low and high watermark of every partition of <paramref name="topic"/>, queried from the leaders.</summary>
    public static IReadOnlyDictionary<int, (long Low, long High)> GetWatermarks(string bootstrapServers, string topic, TimeSpan? timeout = null) =>
        GetWatermarks(Plain(bootstrapServers), topic, timeout);

    /// <summary><see cref="GetWatermarks(string, string, TimeSpan?)"/> with a base client configuration (e.g. a secure cluster's).</summary>
    public static IReadOnlyDictionary<int, (long Low, long High)> GetWatermarks(ClientConfig client, string topic, TimeSpan? timeout = null)
    {
        var t = timeout ?? DefaultMetadataTimeout;
        var deadline = DateTime.UtcNow + t;
        var partitions = GetPartitionCount(client, topic, t);
        using var consumer = CreateConsumer(client, IsolationLevel.ReadUncommitted, checkCrcs: true);
        return QueryWatermarks(consumer, topic, partitions, Remaining(deadline));
    }

    /// <summary>The topic's partition count from cluster metadata (without auto-creating it).</summary>
    /// <exception cref="KafkaException">The topic does not exist or metadata failed.</exception>
    public static int GetPartitionCount(string bootstrapServers, string topic, TimeSpan? timeout = null) =>
        GetPartitionCount(Plain(bootstrapServers), topic, timeout);

    /// <summary><see cref="GetPartitionCount(string, string, TimeSpan?)"/> with a base client configuration (e.g. a secure cluster's).</summary>
    public static int GetPartitionCount(ClientConfig client, string topic, TimeSpan? timeout = null)
    {
        LibRdKafka.EnsureLoaded();
        using var admin = new AdminClientBuilder(new AdminClientConfig(Copy(client))
        {
            // An admin handle is a producer inside librdkafka, whose default would create the topic.
            AllowAutoCreateTopics = false,
            LogConnectionClose = false,
        }).Build();
        var metadata = admin.GetMetadata(topic, timeout ?? DefaultMetadataTimeout);
        var t = metadata.Topics.Single(m => m.Topic == topic);
        if (t.Error.IsError)
            throw new KafkaException(t.Error);
        return t.Partitions.Count;
    }

    internal static ClientConfig Plain(string bootstrapServers) => new() { BootstrapServers = bootstrapServers };

    // Confluent's copy constructors share the dictionary; copy so the caller's config is never changed.
    internal static Dictionary<string, string> Copy(ClientConfig client) => client.ToDictionary(kv => kv.Key, kv => kv.Value);

    private static IConsumer<byte[]?, byte[]?> CreateConsumer(ClientConfig client, IsolationLevel isolation, bool checkCrcs)
    {
        LibRdKafka.EnsureLoaded();
        return new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig(Copy(client))
        {
            // Required by Confluent even though Assign never joins the group.
            GroupId = "kafkaactors-reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            CheckCrcs = checkCrcs,
            EnablePartitionEof = true,
            AllowAutoCreateTopics = false,
            // If retention trimmed past our start offset meanwhile, continue from the new start.
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = isolation,
            LogConnectionClose = false,
        })
        .SetKeyDeserializer(Deserializers.ByteArray!)
        .SetValueDeserializer(Deserializers.ByteArray!)
        .Build();
    }

    private static Dictionary<int, (long Low, long High)> QueryWatermarks(IConsumer<byte[]?, byte[]?> consumer, string topic, int partitions, TimeSpan timeout)
    {
        var result = new Dictionary<int, (long, long)>();
        for (var p = 0; p < partitions; p++)
        {
            var w = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), timeout);
            result[p] = (w.Low.Value, w.High.Value);
        }
        return result;
    }

    private static ConsumedRecord ToRecord(ConsumeResult<byte[]?, byte[]?> r)
    {
        var headers = r.Message.Headers is { Count: > 0 } hs
            ? hs.Select(h => (h.Key, (byte[]?)h.GetValueBytes())).ToArray()
            : Array.Empty<(string, byte[]?)>();
        var type = r.Message.Timestamp.Type switch
        {
            Confluent.Kafka.TimestampType.CreateTime => RecordTimestampType.CreateTime,
            Confluent.Kafka.TimestampType.LogAppendTime => RecordTimestampType.LogAppendTime,
            _ => RecordTimestampType.NotAvailable,
        };
        return new ConsumedRecord(r.Topic, r.Partition.Value, r.Offset.Value, r.Message.Key, r.Message.Value,
            headers, r.Message.Timestamp.UnixTimestampMs, type);
    }

    private static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left < TimeSpan.Zero ? TimeSpan.Zero : left;
    }

    private static string Describe(string topic, Dictionary<int, long> pending, Dictionary<int, List<ConsumedRecord>> read,
        Dictionary<int, (long Low, long High)> watermarks) =>
        $"Timed out reading '{topic}'; unfinished partitions: " +
        string.Join(", ", pending.Keys.Order().Select(p =>
            $"{p} (low {watermarks[p].Low}, high {watermarks[p].High}, read {read[p].Count})"));
}
