using System.Collections.Concurrent;
using KafkaActors.Protocol.Hashing;

namespace KafkaActors.Partitioning;

/// <summary>
/// Java's built-in partitioner (KIP-794): a keyed record goes to <c>toPositive(murmur2(key)) % partitions</c>,
/// exactly as with the Java client; records without a key stick to one available partition until
/// batch.size bytes went to it, then switch to another, so batches fill up instead of spreading thin.
/// </summary>
public sealed class DefaultPartitioner(int stickyBatchSize, bool ignoreKeys = false) : IPartitioner
{
    private readonly ConcurrentDictionary<string, StickyPartition> _sticky = new(StringComparer.Ordinal);

    public int Partition(string topic, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, in PartitionerContext context)
    {
        if (hasKey && !ignoreKeys) return Murmur2.Partition(key, context.PartitionCount);
        var sticky = _sticky.GetOrAdd(topic, static _ => new StickyPartition());
        return sticky.Current(context.AvailablePartitions, context.PartitionCount);
    }

    public void OnAppended(string topic, int partition, int bytes)
    {
        if (_sticky.TryGetValue(topic, out var sticky)) sticky.Produced(partition, bytes, stickyBatchSize);
    }

    /// <summary>The sticky choice of one topic; a small lock keeps partition and byte count consistent.</summary>
    private sealed class StickyPartition
    {
        private readonly object _lock = new();
        private int _partition = -1;
        private long _produced;
        private int _previous = -1;

        public int Current(ReadOnlySpan<int> available, int partitionCount)
        {
            lock (_lock)
            {
                if (_partition < 0 || _partition >= partitionCount || !available.Contains(_partition)) Switch(available);
                return _partition;
            }
        }

        public void Produced(int partition, int bytes, int batchSize)
        {
            lock (_lock)
            {
                if (partition != _partition) return; // a keyed or explicit record
                _produced += bytes;
                if (_produced >= Math.Max(batchSize, 1)) _partition = -1; // next record picks anew
            }
        }

        private void Switch(ReadOnlySpan<int> available)
        {
            _produced = 0;
            // Random among the partitions with a leader, but not the one just left.
            var index = Random.Shared.Next(available.Length);
            if (available.Length > 1 && available[index] == _previous) index = (index + 1) % available.Length;
            _partition = _previous = available[index];
        }
    }
}
