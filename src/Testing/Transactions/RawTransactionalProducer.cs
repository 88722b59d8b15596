using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Records;
using KafkaActors.Testing.RawLog;

namespace KafkaActors.Testing.Transactions;

/// <summary>
/// A transactional producer written directly on the wire protocol, one blocking request at a time, for tests:
/// it sets up the broker state a test needs (an open, committed or aborted transaction; a zombie producer with an
/// old epoch) and proves broker behaviour without the client under test. It never retries, so every answer the
/// broker gives is returned as it is. Each step returns the broker's error code and changes no state on error.
/// </summary>
/// <remarks>
/// Owned by one test; not thread-safe. It keeps one connection to the transaction coordinator (a request on a
/// connection the broker closed throws an <see cref="IOException"/>; <see cref="FindCoordinator()"/> starts a new
/// one; connecting to a broker that is down throws a <see cref="System.Net.Sockets.SocketException"/>), and opens a
/// connection per request to partition leaders and the group coordinator (looked up afresh each time, so leader
/// and coordinator moves are followed). Sequences are counted per partition from 0 and continue across
/// transactions; a successful <c>InitProducerId</c> resets them, as a real producer must.
/// </remarks>
public sealed class RawTransactionalProducer : IDisposable
{
    private const short FindCoordinatorVersion = 3;
    private const short MetadataVersion = 4;
    private const short ProduceVersion = 8;
    private const short TxnVersion = 1; // AddPartitionsToTxn, AddOffsetsToTxn, EndTxn
    private const short TxnOffsetCommitVersion = 3;

    private readonly string _bootstrap;
    private readonly TimeSpan _timeout;
    private readonly Dictionary<(string Topic, int Partition), int> _sequences = [];
    private (string Host, int Port)? _coordinatorAddress;
    private KafkaWireClient? _coordinatorConnection;

    private RawTransactionalProducer(string bootstrapServers, string transactionalId, TimeSpan timeout)
    {
        _bootstrap = bootstrapServers.Split(',')[0].Trim();
        TransactionalId = transactionalId;
        _timeout = timeout;
    }

    /// <summary>Creates a producer for <paramref name="transactionalId"/>; no request is sent until the first call.</summary>
    /// <param name="bootstrapServers">Any broker of the cluster (the first entry is used).</param>
    /// <param name="transactionalId">The transactional.id.</param>
    /// <param name="timeout">Bound of every single request (default 10 s).</param>
    public static RawTransactionalProducer Create(string bootstrapServers, string transactionalId, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bootstrapServers);
        ArgumentException.ThrowIfNullOrEmpty(transactionalId);
        return new RawTransactionalProducer(bootstrapServers, transactionalId, timeout ?? TimeSpan.FromSeconds(10));
    }

    /// <summary>The transactional.id this producer speaks for.</summary>
    public string TransactionalId { get; }

    /// <summary>The producer id from the last successful InitProducerId; -1 before.</summary>
    public long ProducerId { get; private set; } = -1;

    /// <summary>The epoch from the last successful InitProducerId; -1 before.</summary>
    public short ProducerEpoch { get; private set; } = -1;

    /// <summary>Node id of the transaction coordinator this producer is connected to; -1 before the first request.</summary>
    public int CoordinatorId { get; private set; } = -1;

    /// <summary>
    /// The next base sequence <see cref="Produce"/> uses for a partition (0 for a partition not yet written under
    /// the current producer id and epoch).
    /// </summary>
    public int NextSequence(string topic, int partition) => _sequences.GetValueOrDefault((topic, partition));

    /// <summary>
    /// FindCoordinator (v3, key type transaction) for <see cref="TransactionalId"/>, asked of the bootstrap broker. On
    /// success the coordinator replaces the earlier one (closing its connection) and is connected to at the next
    /// coordinator request. Returns the error code of the answer.
    /// </summary>
    public ErrorCode FindCoordinator()
    {
        var coordinator = FindCoordinator(TransactionalId, CoordinatorType.Transaction);
        if (coordinator.ErrorCode != ErrorCode.None)
            return coordinator.ErrorCode;
        _coordinatorConnection?.Dispose();
        _coordinatorConnection = null;
        _coordinatorAddress = (coordinator.Host, coordinator.Port);
        CoordinatorId = coordinator.NodeId;
        return ErrorCode.None;
    }

    /// <summary>
    /// InitProducerId with no current producer id (-1/-1): the coordinator hands out a producer id and epoch.
    /// On success they replace <see cref="ProducerId"/>/<see cref="ProducerEpoch"/> and all sequences restart at 0.
    /// </summary>
    /// <param name="version">InitProducerId version (the mock accepts 0-4).</param>
    /// <param name="transactionTimeoutMs">transaction.timeout.ms sent to the coordinator.</param>
    public ErrorCode InitProducerId(short version = 4, int transactionTimeoutMs = 60_000) =>
        InitProducerId(-1, -1, version, transactionTimeoutMs);

    /// <summary>
    /// InitProducerId naming a current producer id and epoch (v3+, KIP-360: "bump my epoch"). On success the answer
    /// replaces <see cref="ProducerId"/>/<see cref="ProducerEpoch"/> and all sequences restart at 0.
    /// </summary>
    public ErrorCode InitProducerId(long producerId, short producerEpoch, short version = 4, int transactionTimeoutMs = 60_000)
    {
        var response = InitProducerIdResponse.Parse(
            Coordinator().Send(new InitProducerIdRequest(TransactionalId, transactionTimeoutMs, producerId, producerEpoch), version), version);
        if (response.ErrorCode == ErrorCode.None)
        {
            ProducerId = response.ProducerId;
            ProducerEpoch = response.ProducerEpoch;
            _sequences.Clear();
        }
        return response.ErrorCode;
    }

    /// <summary>
    /// AddPartitionsToTxn (v1) for partitions of one topic with the current producer id and epoch; returns each
    /// partition's error code.
    /// </summary>
    public IReadOnlyDictionary<int, ErrorCode> AddPartitions(string topic, params int[] partitions)
    {
        var body = Coordinator().Send(new AddPartitionsToTxnRequest(TransactionalId, ProducerId, ProducerEpoch,
            [new AddPartitionsToTxnTopic(topic, partitions)]), TxnVersion);
        return AddPartitionsToTxnResponse.Parse(body, TxnVersion).Topics
            .Where(t => t.Name == topic)
            .SelectMany(t => t.Partitions)
            .ToDictionary(p => p.PartitionIndex, p => p.ErrorCode);
    }

    /// <summary>
    /// Produces one transactional batch (Produce v8, acks=-1, carrying <see cref="TransactionalId"/>) to the
    /// partition's current leader, with the current producer id and epoch and the next base sequence, unless
    /// <paramref name="baseSequence"/> overrides it. The partition's sequence advances only on success.
    /// </summary>
    /// <param name="topic">Topic.</param>
    /// <param name="partition">Partition.</param>
    /// <param name="values">Record values (keys are null); at least one.</param>
    /// <param name="baseSequence">A base sequence to send instead of the next one (to provoke sequence errors).</param>
    /// <param name="brokerId">A broker to send to instead of the leader (e.g. the old leader after a move).</param>
    /// <returns>The partition's error code and the base offset the broker assigned (-1 when none).</returns>
    public (ErrorCode Error, long BaseOffset) Produce(string topic, int partition, IReadOnlyList<byte[]> values, int? baseSequence = null, int? brokerId = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(values.Count, nameof(values));
        var sequence = baseSequence ?? NextSequence(topic, partition);
        var batch = BuildBatch(values, ProducerId, ProducerEpoch, sequence);
        var (host, port) = Broker(topic, partition, brokerId);
        using var leader = KafkaWireClient.Connect(host, port, _timeout);
        var request = new ProduceRequest(TransactionalId, -1, (int)_timeout.TotalMilliseconds,
            [new ProducePartitionData(topic, partition, batch)]);
        var answer = ProduceResponse.Parse(leader.Send(request, ProduceVersion), ProduceVersion).Partitions
            .Single(p => p.Topic == topic && p.Partition == partition);
        if (answer.ErrorCode == ErrorCode.None && baseSequence is null)
            _sequences[(topic, partition)] = sequence + values.Count;
        return (answer.ErrorCode, answer.BaseOffset);
    }

    /// <summary>AddOffsetsToTxn (v1) for <paramref name="groupId"/> with the current producer id and epoch.</summary>
    public ErrorCode AddOffsets(string groupId) =>
        AddOffsetsToTxnResponse.Parse(Coordinator().Send(
            new AddOffsetsToTxnRequest(TransactionalId, ProducerId, ProducerEpoch, groupId), TxnVersion), TxnVersion).ErrorCode;

    /// <summary>
    /// TxnOffsetCommit (v3, no generation or member checked) to the group's coordinator, looked up with
    /// FindCoordinator; returns each partition's error code, or the FindCoordinator error for every partition.
    /// </summary>
    public IReadOnlyDictionary<int, ErrorCode> CommitOffsets(string groupId, string topic, IReadOnlyDictionary<int, long> offsets)
    {
        var coordinator = FindCoordinator(groupId, CoordinatorType.Group);
        if (coordinator.ErrorCode != ErrorCode.None)
            return offsets.Keys.ToDictionary(p => p, _ => coordinator.ErrorCode);
        using var group = KafkaWireClient.Connect(coordinator.Host, coordinator.Port, _timeout);
        var request = new TxnOffsetCommitRequest(TransactionalId, groupId, ProducerId, ProducerEpoch,
            [new TxnOffsetCommitTopic(topic, offsets.Select(o => new TxnOffsetCommitPartition(o.Key, o.Value)).ToArray())]);
        return TxnOffsetCommitResponse.Parse(group.Send(request, TxnOffsetCommitVersion), TxnOffsetCommitVersion).Topics
            .Where(t => t.Name == topic)
            .SelectMany(t => t.Partitions)
            .ToDictionary(p => p.PartitionIndex, p => p.ErrorCode);
    }

    /// <summary>EndTxn (v1): commits (<paramref name="commit"/> true) or aborts the open transaction.</summary>
    public ErrorCode EndTxn(bool commit) =>
        EndTxnResponse.Parse(Coordinator().Send(
            new EndTxnRequest(TransactionalId, ProducerId, ProducerEpoch, commit), TxnVersion), TxnVersion).ErrorCode;

    /// <summary>Closes the coordinator connection.</summary>
    public void Dispose() => _coordinatorConnection?.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"RawTransactionalProducer({TransactionalId}, pid {ProducerId}, epoch {ProducerEpoch})";

    private KafkaWireClient Coordinator()
    {
        if (_coordinatorAddress is null)
        {
            var error = FindCoordinator();
            if (error != ErrorCode.None)
                throw new InvalidOperationException($"FindCoordinator for transactional id {TransactionalId}: {error.KafkaName()}");
        }
        var (host, port) = _coordinatorAddress!.Value;
        return _coordinatorConnection ??= KafkaWireClient.Connect(host, port, _timeout);
    }

    private Coordinator FindCoordinator(string key, CoordinatorType type)
    {
        using var bootstrap = KafkaWireClient.Connect(_bootstrap, _timeout);
        var response = FindCoordinatorResponse.Parse(
            bootstrap.Send(new FindCoordinatorRequest(key, type), FindCoordinatorVersion), FindCoordinatorVersion);
        return response.Coordinators.Single();
    }

    private (string Host, int Port) Broker(string topic, int partition, int? brokerId)
    {
        using var bootstrap = KafkaWireClient.Connect(_bootstrap, _timeout);
        var metadata = MetadataResponse.Parse(bootstrap.Send(new MetadataRequest([topic], false), MetadataVersion), MetadataVersion);
        var leaderId = brokerId ?? metadata.Topics.Single(t => t.Name == topic).Partitions.Single(p => p.PartitionIndex == partition).LeaderId;
        var broker = metadata.Brokers.SingleOrDefault(b => b.NodeId == leaderId)
                     ?? throw new InvalidOperationException($"{topic}[{partition}] has no leader in the metadata (leader id {leaderId}).");
        return (broker.Host, broker.Port);
    }

    private static byte[] BuildBatch(IReadOnlyList<byte[]> values, long producerId, short epoch, int baseSequence)
    {
        var builder = new RecordBatchBuilder();
        var buffer = new byte[RecordBatchLayout.HeaderSize + values.Sum(v => v.Length + RecordBatchBuilder.MaxRecordOverhead + 1)];
        builder.Reset(buffer, buffer.Length);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var value in values)
        {
            if (!builder.TryAppend(timestamp, default, -1, value, value.Length, default))
                throw new InvalidOperationException("A record did not fit its computed buffer.");
        }
        var batch = buffer.AsSpan(0, builder.SizeInBytes).ToArray();
        RecordBatchHeader.Write(batch, CompressionType.None, transactional: true, builder.RecordCount, builder.BaseTimestamp,
            builder.MaxTimestamp, producerId, epoch, baseSequence);
        return batch;
    }
}
