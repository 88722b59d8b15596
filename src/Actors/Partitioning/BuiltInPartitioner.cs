using KafkaActors.Internal;

namespace KafkaActors.Partitioning;

/// <summary>
/// The sticky choice for records without a key, for one topic (Java's <c>BuiltInPartitioner</c>, KIP-794).
/// Records stick to one partition until batch.size bytes were really appended to it, then the next one is
/// drawn: uniformly among the partitions with a leader, or, with adaptive partitioning, weighted by queue
/// sizes (<see cref="PartitionLoadStats"/>) so partitions on a slow broker get fewer records, leaving out
/// those stalled for longer than partitioner.availability.timeout.ms.
///
/// As in Java, the switch waits for a batch boundary: it happens once batch.size bytes went to the partition
/// and its batch is full (or gone, sent after linger.ms), or at twice batch.size whatever the batch. Java
/// recomputes the load stats on every Sender loop; here they are computed from the published queue sizes
/// (<see cref="ITopicLoad"/>) only when switching, once per batch.size bytes, so appends never pay for them.
///
/// Thread-safe, lock-free on every record as Java's (a <see cref="StickyPartitionInfo"/> per choice): a record reads
/// the current choice and adds its bytes to it; only a switch takes the small lock that keeps the scratch arrays and
/// the draw consistent. Unlike Java, a thread that chose the partition just before another switched it still appends
/// there (no retry): that record's bytes are not counted.
/// </summary>
internal sealed class BuiltInPartitioner(int stickyBatchSize, bool adaptive, long availabilityTimeoutMs, Random? random = null)
{
    private readonly object _lock = new();
    private readonly int _stickyBatchSize = Math.Max(stickyBatchSize, 1);
    private readonly Random _random = random ?? Random.Shared;
    private StickyPartitionInfo? _sticky;
    private int[] _queueSizes = [];
    private int[] _partitionIds = [];

    /// <summary>The sticky partition, drawn anew when there is none, it lost its leader, or a deferred switch is due.</summary>
    public int Current(in PartitionerContext context)
    {
        var sticky = Volatile.Read(ref _sticky);
        if (sticky is not null && Keeps(sticky, context)) return sticky.Partition;
        lock (_lock)
        {
            sticky = _sticky;
            if (sticky is null || !Keeps(sticky, context))
            {
                sticky = new StickyPartitionInfo(NextPartition(context));
                Volatile.Write(ref _sticky, sticky);
            }
            return sticky.Partition;
        }
    }

    /// <summary>
    /// Whether the choice holds for this record: no switch is due, the partition exists and has a leader, and it is not
    /// past batch.size bytes with its batch gone (sent after linger.ms: a batch boundary).
    /// </summary>
    private bool Keeps(StickyPartitionInfo sticky, in PartitionerContext context)
    {
        var partition = sticky.Partition;
        if (sticky.SwitchDue || partition >= context.PartitionCount || !IsAvailable(sticky, context)) return false;
        return !(Volatile.Read(ref sticky.ProducedBytes) >= _stickyBatchSize && context.Load is { } load && !load.HasOpenBatch(partition));
    }

    /// <summary>
    /// Whether the partition is among the available ones. A route is immutable, so once found in a route's available
    /// partitions it stays found there: the scan runs once per choice and route, not once per record.
    /// </summary>
    private static bool IsAvailable(StickyPartitionInfo sticky, in PartitionerContext context)
    {
        var fromRoute = context.AvailableFixedWithLoad;
        if (fromRoute && ReferenceEquals(Volatile.Read(ref sticky.AvailableIn), context.Load)) return true;
        if (!context.AvailablePartitions.Contains(sticky.Partition)) return false;
        // Any appending thread may set it; they all write the same fact, so the last write wins harmlessly.
        if (fromRoute) Volatile.Write(ref sticky.AvailableIn, context.Load);
        return true;
    }

    /// <summary>
    /// Counts <paramref name="bytes"/> really appended to <paramref name="partition"/> and switches (at the next
    /// choice) once enough went there: batch.size with <paramref name="batchFull"/> (the record filled its batch),
    /// or twice batch.size.
    /// </summary>
    public void Appended(int partition, int bytes, bool batchFull)
    {
        var sticky = Volatile.Read(ref _sticky);
        if (sticky is null || sticky.Partition != partition) return; // chosen before a concurrent switch
        Counted(sticky, Interlocked.Add(ref sticky.ProducedBytes, bytes), batchFull);
    }

    /// <summary>
    /// <see cref="Appended"/> for the send path, called under <paramref name="partition"/>'s append lock. Every count for a
    /// choice of that partition made there holds the same lock, so a plain read-add-write loses none; the write is
    /// volatile for the lock-free readers (<see cref="Keeps"/>).
    /// </summary>
    internal void AppendedLocked(int partition, int bytes, bool batchFull)
    {
        var sticky = Volatile.Read(ref _sticky);
        if (sticky is null || sticky.Partition != partition) return; // chosen before a concurrent switch
        var produced = sticky.ProducedBytes + bytes;
        Volatile.Write(ref sticky.ProducedBytes, produced);
        Counted(sticky, produced, batchFull);
    }

    private void Counted(StickyPartitionInfo sticky, long produced, bool batchFull)
    {
        if ((produced >= _stickyBatchSize && batchFull) || produced >= 2L * _stickyBatchSize) sticky.SwitchDue = true;
    }

    /// <summary>The next sticky partition; under the lock.</summary>
    private int NextPartition(in PartitionerContext context)
    {
        var available = context.AvailablePartitions;
        var draw = _random.Next(int.MaxValue);
        if (adaptive && context.Load is { } load && TryWeigh(load, available, context.PartitionCount, out var length))
            return _partitionIds[PartitionLoadStats.Pick(_queueSizes.AsSpan(0, length), draw)];
        return available.Length > 0 ? available[draw % available.Length] : draw % context.PartitionCount;
    }

    /// <summary>
    /// Java's partitionReady and updatePartitionLoadStats in one: the queue sizes of the available partitions that
    /// are not stalled, turned into a cumulative frequency table in the scratch arrays. False when weights would
    /// change nothing.
    /// </summary>
    private bool TryWeigh(ITopicLoad load, ReadOnlySpan<int> available, int partitionCount, out int length)
    {
        if (_queueSizes.Length < available.Length)
        {
            _queueSizes = new int[available.Length];
            _partitionIds = new int[available.Length];
        }
        var now = availabilityTimeoutMs > 0 ? MonotonicClock.NowMs : 0;
        length = 0;
        foreach (var partition in available)
        {
            if (availabilityTimeoutMs > 0 && now - load.StalledSinceMs(partition) > availabilityTimeoutMs) continue;
            _partitionIds[length] = partition;
            _queueSizes[length] = load.QueuedBatches(partition);
            length++;
        }
        return PartitionLoadStats.TryBuild(_queueSizes, length, partitionCount);
    }
}

/// <summary>
/// One choice of <see cref="BuiltInPartitioner"/> (Java's <c>StickyPartitionInfo</c>): the partition and the bytes
/// appended to it since it was chosen. A switch replaces the whole object, so late counts of a replaced choice go to
/// the old one. Thread-safe: fields written by any appending thread, atomically or as idempotent flags.
/// </summary>
internal sealed class StickyPartitionInfo(int partition)
{
    public readonly int Partition = partition;

    /// <summary>
    /// Bytes appended since the choice: added with Interlocked by <see cref="BuiltInPartitioner.Appended"/>, or plainly
    /// under the partition's append lock by <see cref="BuiltInPartitioner.AppendedLocked"/> (the send path uses only the latter).
    /// </summary>
    public long ProducedBytes;

    /// <summary>Set once enough was appended: the next record draws a new partition.</summary>
    public volatile bool SwitchDue;

    /// <summary>The route (an <see cref="ITopicLoad"/> with <see cref="PartitionerContext.AvailableFixedWithLoad"/>) in which the partition was last found available.</summary>
    public ITopicLoad? AvailableIn;
}
