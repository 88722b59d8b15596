using KafkaActors.Accumulator;
using KafkaActors.Metrics;
using KafkaActors.Tests.Support;
using Xunit;

namespace KafkaActors.Tests.Accumulator;

/// <summary>
/// The producer's register of incomplete batches, linked through the batches: adding and removing in any order keeps
/// the others, in the order they came; adding or removing twice changes nothing; a completed batch leaves it, and its
/// Completion, asked for before or after, completes.
/// </summary>
public sealed class IncompleteBatchesTests
{
    [Fact]
    public void Batches_leave_from_the_middle_and_both_ends_and_the_rest_stay_in_order()
    {
        var accumulator = NewAccumulator();
        var register = new IncompleteBatches();
        var batches = Enumerable.Range(0, 5).Select(i => NewBatch(accumulator, i)).ToList();
        foreach (var batch in batches) register.Add(batch);
        register.Add(batches[1]); // again: stays where it is
        Assert.Equal(batches, register.Snapshot());

        register.Remove(batches[2]);
        register.Remove(batches[0]);
        register.Remove(batches[4]);
        register.Remove(batches[4]); // again: nothing
        Assert.Equal([batches[1], batches[3]], register.Snapshot());
        Assert.Equal(2, register.Count);

        register.Add(batches[0]);
        Assert.Equal([batches[1], batches[3], batches[0]], register.Snapshot());
        register.Remove(batches[1]);
        register.Remove(batches[3]);
        register.Remove(batches[0]);
        Assert.Empty(register.Snapshot());
        Assert.Equal(0, register.Count);
    }

    [Fact]
    public async Task A_completed_batch_leaves_the_register_and_its_completion_completes_whenever_asked_for()
    {
        var accumulator = NewAccumulator();
        var askedBefore = NewBatch(accumulator, 0);
        var askedAfter = NewBatch(accumulator, 1);
        accumulator.Track(askedBefore);
        accumulator.Track(askedAfter);
        var before = askedBefore.Completion;
        Assert.False(before.IsCompleted);

        foreach (var batch in new[] { askedBefore, askedAfter })
        {
            batch.Seal();
            batch.Fail(new InvalidOperationException("failed for the test"), null, e => throw e);
        }

        await before.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(askedAfter.Completion.IsCompleted);
        Assert.Equal(0, accumulator.IncompleteCount);
    }

    private static RecordAccumulator NewAccumulator() =>
        new(Producers.Settings("localhost:9092"), new ProducerMetrics(30_000, 2));

    private static ProducerBatch NewBatch(RecordAccumulator accumulator, long ordinal)
    {
        var buffer = accumulator.Pool.TryAllocate(accumulator.Settings.BatchSize)!;
        return new ProducerBatch(new TopicPartition("t", 0), ordinal, buffer, buffer.Length, accumulator, nowMs: 1);
    }
}
