using System.Collections.Concurrent;
using KafkaActors.Protocol.Errors;
using KafkaActors.Testing.Secure.Idempotence;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// The front's idempotence check, as a Kafka broker's ProducerStateManager does it (librdkafka's mock checks sequences only
/// for transactional producers): per partition and producer id the last 5 appended batches; a duplicate of one is
/// acknowledged with its original offset and not stored again; a sequence gap gets OUT_OF_ORDER_SEQUENCE_NUMBER, an older
/// epoch INVALID_PRODUCER_EPOCH, a new epoch must start at sequence 0; a batch with a wrong CRC gets CORRUPT_MESSAGE, a
/// records field that is not exactly one magic-2 batch INVALID_RECORD. Requests with a transactional id go to the mock
/// unchecked: it checks those itself. Batches without a producer id are only validated.
/// </summary>
/// <remarks>
/// One instance per <see cref="SecureEmbeddedKafka"/>, shared by all fronts and connections: producer state belongs to the
/// partition, not to a broker, so it survives leader moves (the mock keeps one log per partition too). Thread-safe: one lock
/// guards all state; no I/O happens under it.
/// <para>
/// The state is updated only from the mock's successful answers (the base offset is then known). So that every batch is
/// checked against the outcome of the one before it, as a broker appending under its log lock does, a batch waits while
/// an earlier one of the same producer and partition is forwarded and unanswered: the connection reads no further request
/// meanwhile (Kafka, too, handles one request per connection at a time). If a connection closes before the answer (a
/// broker set down), the next batch of that producer and partition first reads the mock's log to learn whether the lost
/// one was stored; while that partition's leader cannot be read, the batch is answered NOT_LEADER_OR_FOLLOWER.
/// </para>
/// </remarks>
public sealed class IdempotenceEnforcement
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Topic, int Partition, long ProducerId), ProducerStateEntry> _entries = [];
    private readonly ConcurrentDictionary<short, long> _rejected = new();
    private readonly ConcurrentQueue<string> _recentRejections = new();
    private readonly MockLogLookup _lookup;
    private long _appended;
    private long _duplicates;
    private long _lostAnswers;
    private long _unavailable;
    private volatile bool _enabled;

    internal IdempotenceEnforcement(MockLogLookup lookup, bool enabled)
    {
        _lookup = lookup;
        _enabled = enabled;
    }

    /// <summary>
    /// Whether Produce requests are checked. Switching it on again forgets the producers not waiting for an answer: batches
    /// stored meanwhile went unseen, so those producers are treated as new (accepted at any sequence), as Kafka treats a
    /// producer whose state was removed.
    /// </summary>
    public bool Enabled
    {
        get => _enabled;
        set
        {
            lock (_gate)
            {
                if (value && !_enabled)
                {
                    foreach (var key in _entries.Where(e => e.Value.InFlight is null && e.Value.Lost is null).Select(e => e.Key).ToList())
                        _entries.Remove(key);
                }
                _enabled = value;
            }
        }
    }

    /// <summary>Checked batches the mock confirmed as appended.</summary>
    public long BatchesAppended => Interlocked.Read(ref _appended);

    /// <summary>Duplicates of retained batches acknowledged with their original offset, without storing them again.</summary>
    public long DuplicatesAcknowledged => Interlocked.Read(ref _duplicates);

    /// <summary>Batches the front rejected itself, over all error codes.</summary>
    public long BatchesRejected => _rejected.Values.Sum();

    /// <summary>Forwarded batches whose answer was lost with the connection, later looked up in the mock's log.</summary>
    public long LostAnswers => Interlocked.Read(ref _lostAnswers);

    /// <summary>Batches answered NOT_LEADER_OR_FOLLOWER because a lost answer could not be looked up yet.</summary>
    public long UnavailableAnswers => Interlocked.Read(ref _unavailable);

    /// <summary>The messages of the last 32 rejections (partition, producer id, epoch and sequences), oldest first, for a test's output.</summary>
    public IReadOnlyList<string> RecentRejections => _recentRejections.ToArray();

    /// <summary>Batches the front rejected with <paramref name="errorCode"/> (e.g. 45, OUT_OF_ORDER_SEQUENCE_NUMBER).</summary>
    public long Rejected(short errorCode) => _rejected.GetValueOrDefault(errorCode);

    /// <inheritdoc/>
    public override string ToString() =>
        $"idempotence {(Enabled ? "enforced" : "off")}: appended {BatchesAppended}, duplicates acknowledged {DuplicatesAcknowledged}, " +
        $"rejected {BatchesRejected} [{string.Join(", ", _rejected.OrderBy(r => r.Key).Select(r => $"{((ErrorCode)r.Key).KafkaName()} {r.Value}"))}], " +
        $"lost answers {LostAnswers}, unavailable {UnavailableAnswers}";

    /// <summary>Decides a Produce request: which partitions go to the mock, which are answered here.</summary>
    internal async Task<FrameAction> DecideAsync(ProduceRequestView request, int correlationId)
    {
        var count = request.Partitions.Count;
        var batches = new ProducedBatch[count];
        var answers = new ProduceResponseLayout.Answer?[count]; // null: forward
        var checkedIndexes = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var partition = request.Partitions[i];
            var (error, message) = partition.Records is { } records
                ? BatchHeaderCheck.Validate(records.Span, out batches[i])
                : (ErrorCode.InvalidRecord, "Produce requests must have at least one record batch per partition");
            if (error != ErrorCode.None) answers[i] = Reject(partition, error, message);
            else if (batches[i].HasProducerId) checkedIndexes.Add(i);
        }

        var unavailable = new HashSet<int>();
        var inFlight = new InFlightAppend?[count];
        while (true)
        {
            List<Task>? waits = null;
            List<(int Index, ProducerStateEntry Entry, ProducedBatch Lost)>? lost = null;
            lock (_gate)
            {
                foreach (var i in checkedIndexes)
                {
                    if (unavailable.Contains(i)) continue;
                    var entry = Entry(request.Partitions[i], batches[i].ProducerId);
                    if (entry.InFlight is { } pending) (waits ??= []).Add(pending.Answered.Task);
                    else if (entry.Lost is { } unknown) (lost ??= []).Add((i, entry, unknown));
                }
                if (waits is null && lost is null)
                {
                    foreach (var i in checkedIndexes)
                    {
                        var partition = request.Partitions[i];
                        if (unavailable.Contains(i))
                        {
                            Interlocked.Increment(ref _unavailable);
                            answers[i] = new ProduceResponseLayout.Answer(partition.Topic, partition.Partition, null, ErrorCode.NotLeaderOrFollower,
                                ErrorMessage: "The outcome of an earlier batch is not known yet");
                            continue;
                        }
                        var entry = Entry(partition, batches[i].ProducerId);
                        if (entry.InFlight is not null)
                        {
                            answers[i] = Reject(partition, ErrorCode.InvalidRecord, "The same partition appears twice in one request");
                            continue;
                        }
                        var check = entry.Check(batches[i], $"{partition.Topic}-{partition.Partition}");
                        if (check.Duplicate is { } duplicate)
                        {
                            Interlocked.Increment(ref _duplicates);
                            answers[i] = new ProduceResponseLayout.Answer(partition.Topic, partition.Partition, null, ErrorCode.None,
                                duplicate.BaseOffset, duplicate.LogAppendTimeMs, -1);
                        }
                        else if (!check.IsAccepted) answers[i] = Reject(partition, check.Error, check.Message);
                        else entry.InFlight = inFlight[i] = new InFlightAppend(batches[i]);
                    }
                    break;
                }
            }
            if (waits is not null) await Task.WhenAll(waits).ConfigureAwait(false);
            foreach (var (i, entry, unknown) in lost ?? [])
            {
                var partition = request.Partitions[i];
                var scanFrom = entry.ScanFrom;
                var found = await Task.Run(() => _lookup.Find(partition.Topic, partition.Partition, unknown, scanFrom)).ConfigureAwait(false);
                lock (_gate)
                {
                    if (entry.Lost != unknown) continue; // another connection resolved it meanwhile
                    switch (found.Outcome)
                    {
                        case LookupOutcome.Found:
                            entry.Append(unknown, found.BaseOffset, -1);
                            entry.Lost = null;
                            Interlocked.Increment(ref _appended);
                            break;
                        case LookupOutcome.Absent:
                            entry.Lost = null;
                            break;
                        default:
                            unavailable.Add(i);
                            break;
                    }
                }
            }
        }
        return Act(request, correlationId, answers, inFlight);
    }

    /// <summary>Commits the mock's answer for one forwarded batch: the state changes only on a success with a known offset.</summary>
    internal void OnAnswer(string topic, int partition, InFlightAppend append, ErrorCode error, long baseOffset, long logAppendTimeMs)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue((topic, partition, append.Batch.ProducerId), out var entry) || entry.InFlight != append) return;
            entry.InFlight = null;
            if (error == ErrorCode.None && baseOffset >= 0)
            {
                entry.Append(append.Batch, baseOffset, logAppendTimeMs);
                Interlocked.Increment(ref _appended);
            }
            else if (error == ErrorCode.None)
            {
                entry.Lost = append.Batch; // acknowledged without an offset: read the log to know
            }
        }
        append.Answered.TrySetResult();
    }

    /// <summary>The answer for a forwarded batch will not come: the next batch of that producer and partition reads the log first.</summary>
    internal void OnAnswerLost(string topic, int partition, InFlightAppend append)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue((topic, partition, append.Batch.ProducerId), out var entry) && entry.InFlight == append)
            {
                entry.InFlight = null;
                entry.Lost = append.Batch;
                Interlocked.Increment(ref _lostAnswers);
            }
        }
        append.Answered.TrySetResult();
    }

    private FrameAction Act(ProduceRequestView request, int correlationId, ProduceResponseLayout.Answer?[] answers, InFlightAppend?[] inFlight)
    {
        var forward = new List<int>();
        var rejected = false;
        for (var i = 0; i < answers.Length; i++)
        {
            if (answers[i] is null) forward.Add(i);
            else if (answers[i]!.Value.ErrorCode != ErrorCode.None) rejected = true;
        }
        var acksZero = request.Acks == 0;
        if (forward.Count == 0)
        {
            // Kafka answers an acks=0 request never; after an error it closes the connection (the only way to tell).
            if (acksZero) return rejected ? FrameAction.Close : FrameAction.Ignore;
            var local = answers.Select(a => a!.Value).ToList();
            return FrameAction.Respond(ProduceResponseLayout.Write(request.Version, correlationId, local, default, null));
        }
        var handler = new ProduceAnswerHandler(this, request, correlationId, answers, inFlight, acksZero);
        var replacement = forward.Count == answers.Length ? null : request.WithPartitions(forward);
        return FrameAction.Forward(replacement, handler, closeAfterResponse: acksZero && rejected);
    }

    private ProduceResponseLayout.Answer Reject(ProduceRequestPartition partition, ErrorCode error, string? message)
    {
        _rejected.AddOrUpdate((short)error, 1, (_, n) => n + 1);
        _recentRejections.Enqueue($"{error.KafkaName()}: {message}");
        while (_recentRejections.Count > 32) _recentRejections.TryDequeue(out _);
        return new ProduceResponseLayout.Answer(partition.Topic, partition.Partition, null, error, ErrorMessage: message);
    }

    private ProducerStateEntry Entry(ProduceRequestPartition partition, long producerId)
    {
        var key = (partition.Topic, partition.Partition, producerId);
        if (!_entries.TryGetValue(key, out var entry)) _entries[key] = entry = new ProducerStateEntry();
        return entry;
    }
}
