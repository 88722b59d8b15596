using System.Collections.Concurrent;
using KafkaActors.Protocol.Hashing;

namespace KafkaActors.Partitioning;

/// <summary>
/// Java's built-in partitioner (KIP-794): a keyed record goes to <c>toPositive(murmur2(key)) % partitions</c>,
/// exactly as with the Java client (unless <paramref name="ignoreKeys"/>, partitioner.ignore.keys); records
/// without a key stick to one available partition until <paramref name="stickyBatchSize"/> (batch.size) bytes
/// were appended to it, then switch to another (<see cref="BuiltInPartitioner"/>), so batches fill up instead of
/// spreading thin. With <paramref name="adaptive"/> (partitioner.adaptive.partitioning.enable) the next partition
/// is drawn weighted by queue sizes, and <paramref name="availabilityTimeoutMs"/> (partitioner.availability.timeout.ms,
/// 0 = off) leaves out partitions that could not send for that long. Thread-safe.
/// </summary>
public sealed class DefaultPartitioner(int stickyBatchSize, bool ignoreKeys = false, bool adaptive = true, long availabilityTimeoutMs = 0) : IPartitioner
{
    private readonly ConcurrentDictionary<string, BuiltInPartitioner> _sticky = new(StringComparer.Ordinal);
    private readonly Func<string, BuiltInPartitioner> _create = _ => new BuiltInPartitioner(stickyBatchSize, adaptive, availabilityTimeoutMs);

    public int Partition(string topic, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, in PartitionerContext context)
    {
        if (hasKey && !ignoreKeys) return Murmur2.Partition(key, context.PartitionCount);
        return _sticky.GetOrAdd(topic, _create).Current(context);
    }

    /// <summary>
    /// <see cref="Partition(string,ReadOnlySpan{byte},bool,ReadOnlySpan{byte},in PartitionerContext)"/> with the topic's
    /// sticky state already at hand (the send path keeps it on the topic's route), so a record costs no lookup by topic name.
    /// </summary>
    internal int Partition(BuiltInPartitioner sticky, ReadOnlySpan<byte> key, bool hasKey, in PartitionerContext context) =>
        hasKey && !ignoreKeys ? Murmur2.Partition(key, context.PartitionCount) : sticky.Current(context);

    /// <summary>
    /// The sticky state of a topic: the one <see cref="Partition(string,ReadOnlySpan{byte},bool,ReadOnlySpan{byte},in PartitionerContext)"/>
    /// and <see cref="OnAppended(string,int,int)"/> use.
    /// </summary>
    internal BuiltInPartitioner StickyFor(string topic) => _sticky.GetOrAdd(topic, _create);

    /// <summary>Without knowing whether the record filled its batch: the switch then waits for twice batch.size, or a full batch.</summary>
    public void OnAppended(string topic, int partition, int bytes) => OnAppended(topic, partition, bytes, batchFull: false);

    /// <summary>Counts the bytes a record added to its batch (<paramref name="batchFull"/>: it filled the batch), towards the next switch.</summary>
    internal void OnAppended(string topic, int partition, int bytes, bool batchFull)
    {
        if (_sticky.TryGetValue(topic, out var sticky)) sticky.Appended(partition, bytes, batchFull);
    }
}
