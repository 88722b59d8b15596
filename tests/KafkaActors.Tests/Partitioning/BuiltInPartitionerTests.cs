using KafkaActors.Accumulator;
using KafkaActors.Internal;
using KafkaActors.Metrics;
using KafkaActors.Partitioning;
using KafkaActors.Protocol.Hashing;
using KafkaActors.Protocol.Records;
using KafkaActors.Tests.Support;
using Xunit;

namespace KafkaActors.Tests.Partitioning;

/// <summary>
/// The sticky partitioner for records without a key (KIP-794): it switches after batch.size bytes really
/// appended, on a batch boundary; with adaptive partitioning it draws the next partition weighted by queue
/// sizes and leaves out partitions stalled past partitioner.availability.timeout.ms.
/// </summary>
public sealed class BuiltInPartitionerTests
{
    private const int BatchSize = 1000;
    private static readonly int[] Four = [0, 1, 2, 3];

    [Fact]
    public void Sticks_until_batch_size_bytes_went_to_the_partition_and_its_batch_is_full()
    {
        var partitioner = new BuiltInPartitioner(BatchSize, adaptive: false, 0, new DrawSequence(0, 1, 2));
        var load = new FixedLoad(4);
        Assert.Equal(0, Choose(partitioner, load));

        partitioner.Appended(0, 600, batchFull: true); // a full batch, but only 600 bytes so far
        Assert.Equal(0, Choose(partitioner, load));
        partitioner.Appended(1, 5000, batchFull: true); // a record chosen before a switch: not counted
        Assert.Equal(0, Choose(partitioner, load));
        partitioner.Appended(0, 399, batchFull: true);
        Assert.Equal(0, Choose(partitioner, load)); // 999 bytes
        partitioner.Appended(0, 1, batchFull: true);
        Assert.Equal(1, Choose(partitioner, load)); // 1000 bytes and a full batch: the next draw
    }

    [Fact]
    public void An_unfinished_batch_defers_the_switch_until_it_is_full_gone_or_twice_batch_size_went_there()
    {
        var load = new FixedLoad(4) { OpenBatch = true };
        var partitioner = new BuiltInPartitioner(BatchSize, adaptive: false, 0, new DrawSequence(0, 1, 2, 3));

        Assert.Equal(0, Choose(partitioner, load));
        partitioner.Appended(0, 1500, batchFull: false);
        Assert.Equal(0, Choose(partitioner, load)); // batch.size reached, batch still filling
        partitioner.Appended(0, 10, batchFull: true);
        Assert.Equal(1, Choose(partitioner, load)); // the batch boundary

        partitioner.Appended(1, 1999, batchFull: false);
        Assert.Equal(1, Choose(partitioner, load));
        load.OpenBatch = false; // sent after linger.ms: the next record would open a new batch
        Assert.Equal(2, Choose(partitioner, load));

        partitioner.Appended(2, 1999, batchFull: false);
        load.OpenBatch = true;
        Assert.Equal(2, Choose(partitioner, load));
        partitioner.Appended(2, 1, batchFull: false);
        Assert.Equal(3, Choose(partitioner, load)); // twice batch.size, whatever the batch
    }

    [Fact]
    public void A_partition_that_loses_its_leader_is_left_at_once()
    {
        var partitioner = new BuiltInPartitioner(BatchSize, adaptive: false, 0, new DrawSequence(1, 0));
        var load = new FixedLoad(4);
        Assert.Equal(1, Choose(partitioner, load));
        partitioner.Appended(1, 10, batchFull: true);
        Assert.Equal(1, Choose(partitioner, load));
        // Metadata says partition 1 has no leader now: the next record draws among 0, 2 and 3 (draw 0: the first).
        Assert.Equal(0, partitioner.Current(new PartitionerContext(4, [0, 2, 3], load)));
    }

    [Fact]
    public void The_cumulative_frequency_table_weighs_each_partition_by_max_queue_plus_one_minus_its_queue()
    {
        int[] sizes = [0, 3, 1];
        Assert.True(PartitionLoadStats.TryBuild(sizes, 3, 3));
        Assert.Equal([4, 5, 8], sizes);
        Assert.Equal([0, 0, 0, 0, 1, 2, 2, 2, 0], Enumerable.Range(0, 9).Select(draw => PartitionLoadStats.Pick(sizes, draw)));

        Assert.False(PartitionLoadStats.TryBuild([2, 2, 2], 3, 3)); // all equal: uniform
        Assert.True(PartitionLoadStats.TryBuild([2, 2, 2], 3, 4)); // one left out: weigh the rest
        Assert.False(PartitionLoadStats.TryBuild([5], 0, 4)); // none left
        Assert.False(PartitionLoadStats.TryBuild([5], 1, 1)); // a single partition
    }

    [Fact]
    public void With_adaptive_partitioning_partitions_with_long_queues_are_drawn_rarely()
    {
        var load = new FixedLoad(4);
        load.Queued[1] = 10;
        load.Queued[3] = 10;
        // Weights 11 1 11 1: the slow partitions get 1/24 of the switches each.
        var counts = Switches(new BuiltInPartitioner(BatchSize, adaptive: true, 0, new Random(42)), load, 24_000);
        Assert.InRange(counts[1], 500, 1500);
        Assert.InRange(counts[3], 500, 1500);
        Assert.InRange(counts[0], 10_000, 12_000);
        Assert.InRange(counts[2], 10_000, 12_000);

        // Without it, the same queues change nothing.
        var uniform = Switches(new BuiltInPartitioner(BatchSize, adaptive: false, 0, new Random(42)), load, 24_000);
        Assert.All(uniform, n => Assert.InRange(n, 5000, 7000));
    }

    [Fact]
    public void The_availability_timeout_leaves_out_partitions_stalled_for_longer()
    {
        var load = new FixedLoad(4);
        var now = MonotonicClock.NowMs;
        load.StalledSince[2] = now - 60_000; // a minute without a drain
        load.StalledSince[3] = now; // stalled just now: still in

        var counts = Switches(new BuiltInPartitioner(BatchSize, adaptive: true, availabilityTimeoutMs: 10_000, new Random(7)), load, 3000);
        Assert.Equal(0, counts[2]);
        Assert.All(new[] { counts[0], counts[1], counts[3] }, n => Assert.InRange(n, 800, 1200));

        // Off (0), or with adaptive partitioning off, as in Java: it is drawn like the others.
        var off = Switches(new BuiltInPartitioner(BatchSize, adaptive: true, availabilityTimeoutMs: 0, new Random(7)), load, 3000);
        Assert.InRange(off[2], 550, 950);
        var notAdaptive = Switches(new BuiltInPartitioner(BatchSize, adaptive: false, availabilityTimeoutMs: 10_000, new Random(7)), load, 3000);
        Assert.InRange(notAdaptive[2], 550, 950);

        // All stalled: uniform among those with a leader rather than nothing.
        Array.Fill(load.StalledSince, now - 60_000);
        var allStalled = Switches(new BuiltInPartitioner(BatchSize, adaptive: true, availabilityTimeoutMs: 10_000, new Random(7)), load, 3000);
        Assert.All(allStalled, n => Assert.InRange(n, 550, 950));
    }

    [Fact]
    public void The_accumulator_reports_the_bytes_really_appended_which_add_up_to_the_batch()
    {
        var accumulator = new RecordAccumulator(Producers.Settings("localhost:9092", ("batch.size", "16384")), new ProducerMetrics(30_000, 2));
        var partition = new PartitionAccumulator(new TopicPartition("t", 0), accumulator);
        var value = new byte[100];
        byte[]? buffer = null;
        long reported = 0;
        var records = 0;
        bool full;
        do
        {
            if (!partition.TryAppend(1_700_000_000_000, default, -1, value, value.Length, default, null, ref buffer, out var bytes, out full))
            {
                buffer = accumulator.Pool.TryAllocate(16384);
                Assert.True(partition.TryAppend(1_700_000_000_000, default, -1, value, value.Length, default, null, ref buffer, out bytes, out full));
            }
            reported += bytes;
            records++;
        } while (!full);

        var batch = Assert.Single(accumulator.IncompleteBatches);
        Assert.Equal(batch.UncompressedBytes, reported); // header and records, as Java's appendedBytes add up
        Assert.InRange(reported, 16384 - 150, 16384);
        Assert.Equal(records, batch.RecordCount);
        // The upper-bound estimate the switch used to count would have reached batch.size far earlier.
        var estimated = RecordBatchBuilder.EstimateSizeUpperBound(-1, value.Length, default);
        Assert.True(16384 / estimated < records * 3 / 4, $"{16384 / estimated} estimated records vs {records} real ones");
        Assert.False(partition.HasOpenBatch);
    }

    [Fact]
    public void A_partition_publishes_its_queue_and_since_when_it_could_not_drain()
    {
        var accumulator = new RecordAccumulator(Producers.Settings("localhost:9092"), new ProducerMetrics(30_000, 2));
        var partition = new PartitionAccumulator(new TopicPartition("t", 0), accumulator);
        Assert.Equal(long.MaxValue, partition.StalledSinceMs);

        partition.PublishLoad(queuedBatches: 6, waiting: true, drained: false, nowMs: 100);
        Assert.Equal(6, partition.QueuedBatches);
        Assert.Equal(100, partition.StalledSinceMs);
        partition.PublishLoad(7, waiting: true, drained: false, nowMs: 250); // still stalled since 100
        Assert.Equal(100, partition.StalledSinceMs);
        partition.PublishLoad(7, waiting: true, drained: true, nowMs: 300); // a drain restarts the clock
        Assert.Equal(300, partition.StalledSinceMs);
        partition.PublishLoad(5, waiting: false, drained: true, nowMs: 400); // nothing waits
        Assert.Equal(long.MaxValue, partition.StalledSinceMs);
        Assert.Equal(5, partition.QueuedBatches);
    }

    [Fact]
    public void With_partitioner_ignore_keys_keyed_records_stick_like_records_without_a_key()
    {
        var keys = Enumerable.Range(0, 50).Select(i => System.Text.Encoding.UTF8.GetBytes($"key-{i}")).ToList();
        var load = new FixedLoad(4);
        var hashing = new DefaultPartitioner(BatchSize);
        var hashed = keys.Select(k => hashing.Partition("t", k, true, default, new PartitionerContext(4, Four, load))).ToList();
        Assert.Equal(keys.Select(k => Murmur2.Partition(k, 4)), hashed);
        Assert.True(hashed.Distinct().Count() > 1);

        var ignoring = new DefaultPartitioner(BatchSize, ignoreKeys: true);
        var sticky = ignoring.Partition("t", default, false, default, new PartitionerContext(4, Four, load));
        Assert.All(keys, k => Assert.Equal(sticky, ignoring.Partition("t", k, true, default, new PartitionerContext(4, Four, load))));
    }

    private static int Choose(BuiltInPartitioner partitioner, FixedLoad load) =>
        partitioner.Current(new PartitionerContext(load.Queued.Length, Four.AsSpan(0, load.Queued.Length), load));

    /// <summary>How often each partition is drawn over <paramref name="switches"/> switches (each forced by twice batch.size).</summary>
    private static int[] Switches(BuiltInPartitioner partitioner, FixedLoad load, int switches)
    {
        var counts = new int[load.Queued.Length];
        for (var i = 0; i < switches; i++)
        {
            var partition = Choose(partitioner, load);
            counts[partition]++;
            partitioner.Appended(partition, 2 * BatchSize, batchFull: false);
        }
        return counts;
    }

    /// <summary>Queue sizes and stall times as the partition actors would publish them, set by the test.</summary>
    private sealed class FixedLoad(int partitions) : ITopicLoad
    {
        public int[] Queued { get; } = new int[partitions];
        public long[] StalledSince { get; } = Enumerable.Repeat(long.MaxValue, partitions).ToArray();
        public bool OpenBatch { get; set; } = true;

        public int QueuedBatches(int partition) => Queued[partition];
        public long StalledSinceMs(int partition) => StalledSince[partition];
        public bool HasOpenBatch(int partition) => OpenBatch;
    }

    /// <summary>Draws the given numbers in turn, so the test knows which partition comes next.</summary>
    private sealed class DrawSequence(params int[] draws) : Random
    {
        private int _next;

        public override int Next(int maxValue) => draws[_next++ % draws.Length];
    }
}
