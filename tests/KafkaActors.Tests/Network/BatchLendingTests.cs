using KafkaActors.Accumulator;
using KafkaActors.Metrics;
using KafkaActors.Protocol.Records;
using KafkaActors.Tests.Support;
using Xunit;

namespace KafkaActors.Tests.Network;

/// <summary>
/// A batch whose write was not acknowledged when its socket died: Akka.IO (or the TLS transport, which copies a
/// write only when its turn comes) may still read the payload, so that array must never be rewritten nor reused.
/// The race itself cannot be provoked on demand through the public API, so these tests check the batch's side of it.
/// </summary>
public sealed class BatchLendingTests
{
    private const int BatchSize = 1024;
    private const int BufferMemory = 4 * BatchSize;

    [Fact]
    public void A_retry_after_a_write_of_unknown_fate_sends_the_same_bytes_from_an_array_the_pool_never_hands_out_again()
    {
        var accumulator = NewAccumulator();
        var batch = SentBatch(accumulator, out var firstArray, out var sent);

        batch.Return(writeConfirmed: false);
        Assert.NotSame(firstArray, batch.Payload.Array);
        Assert.Equal(sent, batch.Payload.ToArray());

        // The retry after an epoch bump rewrites its header: in its own array, not under the dying write.
        batch.PrepareForSend(producerId: 7, producerEpoch: 1, baseSequence: 0);
        Assert.Equal(sent, firstArray.AsSpan(0, sent.Length).ToArray());
        Assert.NotEqual(sent, batch.Payload.ToArray());

        batch.Lend();
        batch.Return();
        batch.Complete(0, -1, null, e => throw e);
        Assert.Equal(BufferMemory, accumulator.Pool.AvailableMemory);
        AssertNeverHandedOut(accumulator.Pool, firstArray);
    }

    [Fact]
    public void A_batch_completed_while_its_write_is_of_unknown_fate_gives_its_memory_back_but_never_its_array()
    {
        var accumulator = NewAccumulator();
        var batch = SentBatch(accumulator, out var firstArray, out _);
        batch.Fail(new InvalidOperationException("aborted"), null, e => throw e); // e.g. close aborted it in flight
        Assert.True(batch.Lent);
        Assert.Equal(BufferMemory - BatchSize, accumulator.Pool.AvailableMemory); // kept while lent

        batch.Return(writeConfirmed: false);
        Assert.True(batch.Completion.IsCompleted);
        Assert.Equal(BufferMemory, accumulator.Pool.AvailableMemory);
        AssertNeverHandedOut(accumulator.Pool, firstArray);
    }

    [Fact]
    public void A_batch_whose_write_was_acknowledged_recycles_its_array()
    {
        var accumulator = NewAccumulator();
        var batch = SentBatch(accumulator, out var firstArray, out _);
        batch.Return();
        batch.Complete(0, -1, null, e => throw e);
        Assert.Same(firstArray, accumulator.Pool.TryAllocate(BatchSize)); // zero copies, zero allocations on the plain path
    }

    private static RecordAccumulator NewAccumulator() =>
        new(Producers.Settings("localhost:9092", ("batch.size", BatchSize.ToString()), ("buffer.memory", BufferMemory.ToString())), new ProducerMetrics(30_000, 2));

    private static ProducerBatch SentBatch(RecordAccumulator accumulator, out byte[] array, out byte[] sent)
    {
        array = accumulator.Pool.TryAllocate(BatchSize)!;
        var batch = new ProducerBatch(new TopicPartition("t", 0), 0, array, array.Length, accumulator, nowMs: 0);
        var key = "key"u8.ToArray();
        var value = new byte[100];
        Random.Shared.NextBytes(value);
        Assert.True(batch.TryAppend(1, key, key.Length, value, value.Length, ReadOnlySpan<RecordHeader>.Empty, null));
        batch.Seal();
        batch.BuildPayload(CompressionType.None, 0);
        batch.PrepareForSend(producerId: 7, producerEpoch: 0, baseSequence: 0);
        Assert.Same(array, batch.Payload.Array);
        sent = batch.Payload.ToArray();
        batch.Lend();
        return batch;
    }

    private static void AssertNeverHandedOut(BufferPool pool, byte[] abandoned)
    {
        var taken = new List<byte[]>();
        while (pool.TryAllocate(BatchSize) is { } buffer) taken.Add(buffer);
        Assert.Equal(BufferMemory / BatchSize, taken.Count);
        Assert.DoesNotContain(taken, b => ReferenceEquals(b, abandoned));
        foreach (var buffer in taken) pool.Deallocate(buffer);
    }
}
