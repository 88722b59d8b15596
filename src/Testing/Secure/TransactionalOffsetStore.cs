using System.Net;
using System.Net.Sockets;
using KafkaActors.Protocol;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// The front's transactional offsets: what Kafka's group coordinator does with TxnOffsetCommit, which librdkafka's mock
/// validates, answers and then forgets. Offsets the mock accepted wait here, pending, keyed by transactional id, producer
/// id and group; EndTxn(commit) answered without error writes them to the mock with a plain OffsetCommit (so every
/// reader sees them as the group's committed offsets), EndTxn(abort) answered without error drops them, and an EndTxn
/// answered with an error leaves them pending, as Kafka does.
/// </summary>
/// <remarks>
/// One instance per <see cref="SecureEmbeddedKafka"/>, shared by all its connections: TxnOffsetCommit arrives on the group
/// coordinator's connection and EndTxn on the transaction coordinator's, usually two different ones. Thread-safe: one
/// lock guards the pending offsets and is never held during network I/O (a commit takes its offsets out, sends, and puts
/// back what failed). The stage calls it from the connections' write loops, when the mock's answer arrives and before the
/// client sees it, so a client that got TxnOffsetCommit's answer finds its offsets pending, and one that got EndTxn's
/// answer finds them committed.
/// <para>
/// The commit is a short blocking call (its own loopback connection, bounded by a timeout) on the transaction
/// coordinator connection's write loop, which meanwhile sends that client nothing; other connections go on. If it fails
/// in a way a retry can fix (the group's broker down, a retriable error pushed on OffsetCommit), the offsets stay pending
/// and the client's EndTxn is answered COORDINATOR_LOAD_IN_PROGRESS, which clients retry; the mock answers the retry
/// without error (its transaction is already complete), and the commit is tried again. Offsets the mock refuses for good
/// are dropped and listed by <see cref="Refused"/>; the EndTxn answer is then passed on unchanged.
/// </para>
/// <para>
/// Not modelled: a new InitProducerId for the transactional id (which in Kafka aborts the open transaction) leaves the
/// old producer id's offsets pending; the transaction timeout; the generation and member checks of TxnOffsetCommit v3
/// (made only when the offsets are committed, by the mock's OffsetCommit); KIP-447's UNSTABLE_OFFSET_COMMIT for
/// OffsetFetch while offsets are pending. Requests the mock's request tracking records include the front's OffsetCommit,
/// and an error pushed on OffsetCommit is used up by it.
/// </para>
/// </remarks>
public sealed class TransactionalOffsetStore
{
    private static readonly TimeSpan CommitTimeout = TimeSpan.FromSeconds(5);

    private readonly object _lock = new();
    private readonly Dictionary<GroupKey, PendingGroup> _pending = [];
    private readonly List<(PendingTransactionalOffset Offset, ErrorCode Error)> _refused = [];
    private readonly IReadOnlyDictionary<int, IPEndPoint> _brokers;
    private long _committedOffsets;
    private long _failedCommits;

    internal TransactionalOffsetStore(IReadOnlyDictionary<int, IPEndPoint> brokers) => _brokers = brokers;

    /// <summary>Offsets written to the mock on EndTxn(commit) so far.</summary>
    public long CommittedOffsets => Interlocked.Read(ref _committedOffsets);

    /// <summary>OffsetCommit calls that failed in a way a retry can fix (a transport failure, a retriable error), leaving their offsets pending.</summary>
    public long FailedCommits => Interlocked.Read(ref _failedCommits);

    /// <summary>
    /// The pending offsets, of every transaction or of <paramref name="transactionalId"/>'s, ordered by transactional id,
    /// producer id, group, topic and partition.
    /// </summary>
    public IReadOnlyList<PendingTransactionalOffset> Pending(string? transactionalId = null)
    {
        lock (_lock)
        {
            return _pending
                .Where(p => transactionalId is null || p.Key.TransactionalId == transactionalId)
                .SelectMany(p => p.Value.Offsets.Values)
                .OrderBy(o => o.TransactionalId, StringComparer.Ordinal).ThenBy(o => o.ProducerId)
                .ThenBy(o => o.GroupId, StringComparer.Ordinal).ThenBy(o => o.Topic, StringComparer.Ordinal).ThenBy(o => o.Partition)
                .ToArray();
        }
    }

    /// <summary>
    /// Offsets of committed transactions that the mock's OffsetCommit refused with an error no retry fixes, and were
    /// dropped. Kafka would have committed them; the usual cause is a group that has, or once had, members: the mock keeps
    /// such a group forever and then checks every OffsetCommit's generation and member id, so a simple commit (the
    /// producer's <c>ConsumerGroupMetadata(groupId)</c>) gets ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID. Consumers that
    /// <c>Assign</c> rather than <c>Subscribe</c> create no group.
    /// </summary>
    public IReadOnlyList<(PendingTransactionalOffset Offset, ErrorCode Error)> Refused()
    {
        lock (_lock) return _refused.ToArray();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"TransactionalOffsetStore({Pending().Count} pending, {CommittedOffsets} committed, {FailedCommits} failed commits, {Refused().Count} refused)";

    /// <summary>
    /// Keeps the offsets of <paramref name="request"/> that <paramref name="response"/> accepted, as answered by broker
    /// <paramref name="brokerId"/> (the group coordinator). A later offset for the same partition replaces an earlier one.
    /// </summary>
    internal void AddPending(TxnOffsetCommitRequest request, int brokerId, TxnOffsetCommitResponse response)
    {
        var accepted = response.Topics
            .SelectMany(t => t.Partitions.Where(p => p.ErrorCode == ErrorCode.None).Select(p => (t.Name, p.PartitionIndex)))
            .ToHashSet();
        var key = new GroupKey(request.TransactionalId, request.ProducerId, request.GroupId);
        lock (_lock)
        {
            foreach (var topic in request.Topics)
            {
                foreach (var partition in topic.Partitions)
                {
                    if (!accepted.Contains((topic.Name, partition.PartitionIndex)))
                        continue;
                    if (!_pending.TryGetValue(key, out var group))
                        _pending[key] = group = new PendingGroup();
                    group.CoordinatorId = brokerId;
                    group.GenerationId = request.GenerationId;
                    group.MemberId = request.MemberId;
                    group.Offsets[(topic.Name, partition.PartitionIndex)] = new PendingTransactionalOffset(request.TransactionalId,
                        request.ProducerId, request.GroupId, topic.Name, partition.PartitionIndex, partition.CommittedOffset,
                        partition.CommittedLeaderEpoch, partition.CommittedMetadata);
                }
            }
        }
    }

    /// <summary>
    /// EndTxn(commit) succeeded: writes the transaction's pending offsets, one OffsetCommit per group to the broker that
    /// accepted them. Returns false if any failed in a way a retry can fix (no connection, a retriable error); those stay
    /// pending. Offsets the mock refuses for good are dropped and listed by <see cref="Refused"/>.
    /// </summary>
    internal bool Commit(string transactionalId, long producerId)
    {
        var taken = Take(transactionalId, producerId);
        var allCommitted = true;
        foreach (var (key, group) in taken)
        {
            var offsets = group.Offsets.Values.ToArray();
            var retry = offsets;
            if (_brokers.TryGetValue(group.CoordinatorId, out var broker))
            {
                try
                {
                    var errors = SimpleOffsetCommit.Send(broker, key.GroupId, group.GenerationId, group.MemberId, offsets, CommitTimeout);
                    var answered = offsets.Select(o => (Offset: o, Error: errors.GetValueOrDefault((o.Topic, o.Partition), ErrorCode.UnknownServerError))).ToArray();
                    retry = answered.Where(a => a.Error != ErrorCode.None && IsTransient(a.Error)).Select(a => a.Offset).ToArray();
                    var refused = answered.Where(a => a.Error != ErrorCode.None && !IsTransient(a.Error)).ToArray();
                    if (refused.Length > 0)
                    {
                        lock (_lock) _refused.AddRange(refused);
                    }
                    Interlocked.Add(ref _committedOffsets, answered.Count(a => a.Error == ErrorCode.None));
                }
                catch (Exception e) when (e is IOException or SocketException or TimeoutException or KafkaProtocolException)
                {
                    // retry stays all of them
                }
            }
            if (retry.Length == 0)
                continue;
            allCommitted = false;
            Interlocked.Increment(ref _failedCommits);
            Restore(key, group, retry);
        }
        return allCommitted;
    }

    // Errors a later OffsetCommit can get past: the coordinator's (loading, moved, unavailable), a timeout, and a rebalance
    // in progress (the mock accepts commits again once the group is stable).
    private static bool IsTransient(ErrorCode error) => error.IsRetriable() || error == ErrorCode.RebalanceInProgress;

    /// <summary>EndTxn(abort) succeeded: drops the transaction's pending offsets.</summary>
    internal void Abort(string transactionalId, long producerId) => Take(transactionalId, producerId);

    private List<(GroupKey Key, PendingGroup Group)> Take(string transactionalId, long producerId)
    {
        lock (_lock)
        {
            var taken = _pending.Where(p => p.Key.TransactionalId == transactionalId && p.Key.ProducerId == producerId)
                .Select(p => (p.Key, p.Value)).ToList();
            foreach (var (key, _) in taken)
                _pending.Remove(key);
            return taken;
        }
    }

    private void Restore(GroupKey key, PendingGroup taken, IEnumerable<PendingTransactionalOffset> failed)
    {
        lock (_lock)
        {
            // Only a misbehaving client sends TxnOffsetCommit while its EndTxn is in flight; if one did, its newer offsets win.
            if (!_pending.TryGetValue(key, out var group))
            {
                _pending[key] = group = new PendingGroup
                {
                    CoordinatorId = taken.CoordinatorId,
                    GenerationId = taken.GenerationId,
                    MemberId = taken.MemberId,
                };
            }
            foreach (var offset in failed)
                group.Offsets.TryAdd((offset.Topic, offset.Partition), offset);
        }
    }

    private readonly record struct GroupKey(string TransactionalId, long ProducerId, string GroupId);

    /// <summary>One group's pending offsets in one transaction, and where and as whom to commit them. Guarded by the store's lock.</summary>
    private sealed class PendingGroup
    {
        public int CoordinatorId { get; set; }

        public int GenerationId { get; set; } = -1;

        public string MemberId { get; set; } = "";

        public Dictionary<(string Topic, int Partition), PendingTransactionalOffset> Offsets { get; } = [];
    }
}
