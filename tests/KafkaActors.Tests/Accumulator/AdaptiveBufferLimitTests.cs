using System.Diagnostics;
using KafkaActors.Accumulator;
using KafkaActors.Internal;
using KafkaActors.Metrics;
using KafkaActors.Network;
using Xunit;

namespace KafkaActors.Tests.Accumulator;

/// <summary>
/// The buffer pool's adaptive limit: it holds appenders back below buffer.memory only while Produce answers say the
/// brokers have enough queued, serves them when an answer raises it or when answers stop, and never holds back a wait
/// shorter than its quiet time. Answers are stamped in the future where a test must not see the quiet rule.
/// </summary>
public sealed class AdaptiveBufferLimitTests
{
    private const int Step = 1 << 20;
    private const long Total = 16L * Step;

    [Fact]
    public async Task The_limit_starts_at_buffer_memory_falls_by_an_eighth_above_the_floor_and_rises_by_one_batch_only_while_appenders_wait()
    {
        var pool = NewPool();
        var limit = pool.Limit!;
        var later = MonotonicClock.NowMs + 60_000;
        Assert.Equal(Total, limit.Limit);

        limit.OnProduceAnswer(queuedAhead: 4, later); // nobody waits: memory limits nothing
        Assert.Equal(Total, limit.Limit);

        var held = TakeAll(pool);
        var waiting = pool.AllocateAsync(Step, TimeSpan.FromSeconds(30));
        Assert.True(limit.AppendersWaiting);
        limit.OnProduceAnswer(queuedAhead: 2, later);
        var fallen = Total - (Total - limit.Floor) / 8; // an eighth of the 12 batches above the floor
        Assert.Equal(Total - 3 * Step / 2, fallen);
        Assert.Equal(fallen, limit.Limit);
        limit.OnProduceAnswer(queuedAhead: 1, later); // within the band: hold
        Assert.Equal(fallen, limit.Limit);
        for (var i = 0; i < 20; i++) limit.OnProduceAnswer(queuedAhead: 3, later);
        Assert.Equal(limit.Floor, limit.Limit);
        Assert.Equal(4L * Step, limit.Floor);
        limit.OnProduceAnswer(queuedAhead: 0.2, later);
        Assert.Equal(5L * Step, limit.Limit);

        // Now the limit, not buffer.memory, holds the waiter back: it gets memory once no more than 4 batches are in use.
        for (var i = 0; i < 11; i++) pool.Deallocate(held[i]);
        Assert.False(waiting.IsCompleted);
        pool.Deallocate(held[11]);
        Assert.Same(held[11], await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(limit.AppendersWaiting);
        pool.Close();
    }

    [Fact]
    public async Task An_appender_held_back_by_the_limit_gets_memory_when_an_answer_raises_it()
    {
        var pool = NewPool();
        var limit = LowerToFloor(pool);
        var later = MonotonicClock.NowMs + 60_000;
        TakeFloor(pool);
        Assert.Null(pool.TryAllocate(Step)); // the floor is in use, though buffer.memory has room for 12 more

        var next = pool.AllocateAsync(Step, TimeSpan.FromSeconds(30));
        Assert.True(limit.AppendersWaiting);
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        limit.OnProduceAnswer(queuedAhead: 0, later); // the broker ran dry: one batch more
        await next.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(limit.Floor + Step, limit.Limit);
        Assert.Equal(Total - limit.Floor - Step, pool.AvailableMemory);
        pool.Close();
    }

    [Fact]
    public async Task Without_answers_for_the_quiet_time_the_limit_is_lifted_up_to_buffer_memory()
    {
        var pool = NewPool();
        var limit = LowerToFloor(pool);
        // The last answer "arrives" one second from now: until a quiet time after it, the floor holds.
        limit.OnProduceAnswer(queuedAhead: 1, MonotonicClock.NowMs + 1000);
        var held = TakeFloor(pool);
        var waited = Stopwatch.StartNew();
        var more = Enumerable.Range(0, (int)((Total - limit.Floor) / Step)).Select(_ => pool.AllocateAsync(Step, TimeSpan.FromSeconds(30))).ToList();
        Assert.False(more[0].IsCompleted);

        held.AddRange(await Task.WhenAll(more).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(waited.ElapsedMilliseconds >= 900, $"served after {waited.ElapsedMilliseconds} ms");
        Assert.Equal(0, pool.AvailableMemory); // all of buffer.memory, as Java's pool gives when the broker is gone
        Assert.Null(pool.TryAllocate(Step));
        pool.Close();
    }

    [Fact]
    public void A_wait_shorter_than_the_quiet_time_is_not_held_back()
    {
        var pool = NewPool();
        LowerToFloor(pool);
        pool.Limit!.OnProduceAnswer(queuedAhead: 1, MonotonicClock.NowMs + 60_000);
        TakeFloor(pool);
        Assert.Null(pool.TryAllocate(Step));
        // max.block.ms at or below the quiet time: the limit could turn it into a BufferExhaustedException Java would not throw.
        var granted = pool.AllocateAsync(Step, TimeSpan.FromMilliseconds(AdaptiveBufferLimit.QuietMs));
        Assert.True(granted.IsCompletedSuccessfully);
        pool.Close();
    }

    [Fact]
    public async Task A_record_larger_than_the_limit_gets_its_memory_once_nothing_else_is_in_use()
    {
        var pool = NewPool();
        var limit = LowerToFloor(pool);
        limit.OnProduceAnswer(queuedAhead: 1, MonotonicClock.NowMs + 60_000);
        var small = pool.TryAllocate(Step)!;
        var large = pool.AllocateAsync((int)limit.Floor + Step, TimeSpan.FromSeconds(30));
        await Task.Delay(50);
        Assert.False(large.IsCompleted); // above the floor, with a batch in use
        pool.Deallocate(small);
        Assert.Equal(limit.Floor + Step, (await large.WaitAsync(TimeSpan.FromSeconds(10))).Length);
        Assert.Equal(Total - limit.Floor - Step, pool.AvailableMemory);
        pool.Close();
    }

    [Fact]
    public void The_broker_queue_is_the_requests_in_flight_times_the_share_of_latency_above_the_quickest()
    {
        var estimate = new BrokerQueueEstimate();
        var now = Stopwatch.GetTimestamp();
        Assert.Equal(0, estimate.OnAnswer(100, inFlight: 1, now));
        Assert.Equal(3, estimate.OnAnswer(400, inFlight: 4, now), precision: 9);
        Assert.Equal(0, estimate.OnAnswer(50, inFlight: 5, now)); // a new quickest
        // The quickest is remembered for one more window of 5 s, then forgotten: a broker slower for good is its new normal.
        Assert.Equal(3.75, estimate.OnAnswer(200, inFlight: 5, now + 6 * Stopwatch.Frequency), precision: 9);
        Assert.Equal(2.5, estimate.OnAnswer(400, inFlight: 5, now + 12 * Stopwatch.Frequency), precision: 9);
        Assert.Equal(0, estimate.OnAnswer(400, inFlight: 5, now + 18 * Stopwatch.Frequency), precision: 9);
    }

    private static BufferPool NewPool() => new(Total, Step, new ProducerMetrics(30_000, 2), adaptiveLimit: true);

    /// <summary>As many batches as the limit's floor allows, without waiting.</summary>
    private static List<byte[]> TakeFloor(BufferPool pool)
    {
        var held = new List<byte[]>();
        for (var i = 0; i < pool.Limit!.Floor / Step; i++) held.Add(pool.TryAllocate(Step) ?? throw new InvalidOperationException($"batch {i} did not fit"));
        return held;
    }

    private static List<byte[]> TakeAll(BufferPool pool)
    {
        var held = new List<byte[]>();
        while (pool.TryAllocate(Step) is { } buffer) held.Add(buffer);
        Assert.Equal(Total / Step, held.Count);
        return held;
    }

    /// <summary>Drives the limit to its floor the way connections do (answers finding a queue while an appender waits), then frees everything.</summary>
    private static AdaptiveBufferLimit LowerToFloor(BufferPool pool)
    {
        var limit = pool.Limit!;
        var held = TakeAll(pool);
        var waiting = pool.AllocateAsync(Step, TimeSpan.FromSeconds(30));
        for (var i = 0; i < 20; i++) limit.OnProduceAnswer(queuedAhead: 3, MonotonicClock.NowMs + 60_000);
        Assert.Equal(limit.Floor, limit.Limit);
        foreach (var buffer in held) pool.Deallocate(buffer);
        pool.Deallocate(waiting.GetAwaiter().GetResult());
        Assert.Equal(Total, pool.AvailableMemory);
        Assert.False(limit.AppendersWaiting);
        return limit;
    }
}
