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
/// Thread-safe: a small lock keeps partition, byte count and the scratch arrays consistent. Unlike Java, a
/// thread that chose the partition just before another switched it still appends there (no retry): that
/// record's bytes are not counted.
/// </summary>
internal sealed class BuiltInPartitioner(int stickyBatchSize, bool adaptive, long availabilityTimeoutMs, Random? random = null)
{
    private readonly object _lock = new();
    private readonly int _stickyBatchSize = Math.Max(stickyBatchSize, 1);
    private readonly Random _random = random ?? Random.Shared;
    private int _partition = -1;
    private long _produced;
    private int[] _queueSizes = [];
    private int[] _partitionIds = [];

    /// <summary>The sticky partition, drawn anew when there is none, it lost its leader, or a deferred switch is due.</summary>
    public int Current(in PartitionerContext context)
    {
        lock (_lock)
        {
            if (_partition < 0 || _partition >= context.PartitionCount || !context.AvailablePartitions.Contains(_partition)
                || (_produced >= _stickyBatchSize && context.Load is { } load && !load.HasOpenBatch(_partition)))
                _partition = NextPartition(context);
            return _partition;
        }
    }

    /// <summary>
    /// Counts <paramref name="bytes"/> really appended to <paramref name="partition"/> and switches (at the next
    /// choice) once enough went there: batch.size with <paramref name="batchFull"/> (the record filled its batch),
    /// or twice batch.size.
    /// </summary>
    public void Appended(int partition, int bytes, bool batchFull)
    {
        lock (_lock)
        {
            if (partition != _partition) return; // chosen before a concurrent switch
            _produced += bytes;
            if ((_produced >= _stickyBatchSize && batchFull) || _produced >= 2L * _stickyBatchSize) _partition = -1;
        }
    }

    /// <summary>The next sticky partition; under the lock.</summary>
    private int NextPartition(in PartitionerContext context)
    {
        _produced = 0;
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
