using System.Diagnostics;
using KafkaActors.Accumulator;
using KafkaActors.Internal;
using KafkaActors.Metrics;
using KafkaActors.Network;
using Xunit;

namespace KafkaActors.Tests.Accumulator;

/// <summary>
/// The buffer pool's adaptive limit: it starts at its floor and holds appenders back below buffer.memory only while
/// Produce answers say the brokers have enough queued, serves them when an answer raises it or when answers stop, and never holds back a wait
/// shorter than its quiet time. Answers are stamped in the future where a test must not see the quiet rule.
/// </summary>
public sealed class AdaptiveBufferLimitTests
{
    private const int Step = 1 << 20;
    private const long Total = 16L * Step;

    [Fact]
    public async Task The_limit_starts_at_the_floor_falls_by_an_eighth_above_the_floor_and_rises_by_one_batch_only_while_appenders_wait()
    {
        var pool = NewPool();
        var limit = pool.Limit!;
        var later = MonotonicClock.NowMs + 60_000;
        Assert.Equal(4L * Step, limit.Floor);
        Assert.Equal(limit.Floor, limit.Limit);

        limit.OnProduceAnswer(queuedAhead: 0, later); // nobody waits: memory limits nothing
        Assert.Equal(limit.Floor, limit.Limit);

        // Slow start: while no answer has found a queue, raises are by an eighth of the limit, at least a batch (here up to 8 MiB).
        var held = TakeFloor(pool);
        var waiting = pool.AllocateAsync(12 * Step, TimeSpan.FromSeconds(30)); // needs 16 batches in use: the whole of buffer.memory
        Assert.True(limit.AppendersWaiting);
        for (var i = 0; i < 5; i++) limit.OnProduceAnswer(queuedAhead: 0.2, later);
        Assert.Equal(9L * Step, limit.Limit);
        limit.OnProduceAnswer(queuedAhead: 2, later); // a queue: slow start is over, and down by an eighth of the 5 batches above the floor, at least one
        Assert.Equal(8L * Step, limit.Limit);
        limit.OnProduceAnswer(queuedAhead: 1, later); // within the band: hold
        Assert.Equal(8L * Step, limit.Limit);
        for (var i = 0; i < 20; i++) limit.OnProduceAnswer(queuedAhead: 3, later);
        Assert.Equal(limit.Floor, limit.Limit);
        limit.OnProduceAnswer(queuedAhead: 0.2, later); // additive now
        Assert.Equal(5L * Step, limit.Limit);
        Assert.False(waiting.IsCompleted);
        for (var i = 0; i < 11; i++) limit.OnProduceAnswer(queuedAhead: 0.2, later);
        Assert.Equal(Total, limit.Limit);
        held.Add(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(limit.AppendersWaiting);
        Assert.Equal(0, pool.AvailableMemory);

        // Now the limit, not buffer.memory, holds a waiter back: it gets memory once no more than the limit is in use.
        var more = pool.AllocateAsync(Step, TimeSpan.FromSeconds(30));
        for (var i = 0; i < 20; i++) limit.OnProduceAnswer(queuedAhead: 3, later);
        Assert.Equal(limit.Floor, limit.Limit);
        pool.Deallocate(held[^1]); // the 12 MiB: 4 batches in use now, at the floor
        Assert.False(more.IsCompleted);
        pool.Deallocate(held[0]);
        Assert.Same(held[0], await more.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(limit.AppendersWaiting);
        pool.Close();
    }

    [Fact]
    public void In_slow_start_each_raise_is_an_eighth_of_the_limit_and_at_least_one_batch()
    {
        const int step = 64 << 10;
        var pool = new BufferPool(Total, step, new ProducerMetrics(30_000, 2), adaptiveLimit: true);
        var limit = pool.Limit!;
        var later = MonotonicClock.NowMs + 60_000;
        Assert.Equal(1L << 20, limit.Floor); // 16 batches: the 1 MiB minimum
        for (var i = 0; i < limit.Floor / step; i++) Assert.NotNull(pool.TryAllocate(step));
        Assert.Null(pool.TryAllocate(step));
        _ = pool.AllocateAsync(8 << 20, TimeSpan.FromSeconds(30));
        var expected = limit.Floor;
        for (var i = 0; i < 10; i++)
        {
            limit.OnProduceAnswer(queuedAhead: 0, later);
            expected += Math.Max(step, expected / 8);
            Assert.Equal(expected, limit.Limit);
        }
        Assert.True(expected > 2 * limit.Floor); // ten answers more than doubled it, where one batch each would add 62%
        pool.Close();
    }

    [Fact]
    public async Task Before_any_answer_the_quiet_time_runs_from_the_first_check_then_the_limit_is_lifted()
    {
        var pool = NewPool();
        var limit = pool.Limit!;
        var held = TakeFloor(pool); // the second allocation starts the quiet time
        var waited = Stopwatch.StartNew();
        var rest = Enumerable.Range(0, (int)((Total - limit.Floor) / Step)).Select(_ => pool.AllocateAsync(Step, TimeSpan.FromSeconds(30))).ToList();
        Assert.False(rest[0].IsCompleted); // the brokers have not had their quiet time to answer yet

        held.AddRange(await Task.WhenAll(rest).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(waited.ElapsedMilliseconds >= AdaptiveBufferLimit.QuietMs / 2, $"served after {waited.ElapsedMilliseconds} ms");
        Assert.Equal(0, pool.AvailableMemory); // no answer came: all of buffer.memory, as Java's pool gives when the broker is gone
        Assert.Equal(limit.Floor, limit.Limit); // lifted, not raised
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

    /// <summary>
    /// Ends slow start the way connections do (an answer finding a queue while an appender waits), then frees
    /// everything: the limit stays at its floor and rises by one batch per answer from now on.
    /// </summary>
    private static AdaptiveBufferLimit LowerToFloor(BufferPool pool)
    {
        var limit = pool.Limit!;
        var held = TakeFloor(pool);
        var waiting = pool.AllocateAsync(Step, TimeSpan.FromSeconds(30));
        limit.OnProduceAnswer(queuedAhead: 3, MonotonicClock.NowMs + 60_000);
        Assert.Equal(limit.Floor, limit.Limit);
        Assert.False(waiting.IsCompleted);
        foreach (var buffer in held) pool.Deallocate(buffer);
        pool.Deallocate(waiting.GetAwaiter().GetResult());
        Assert.Equal(Total, pool.AvailableMemory);
        Assert.False(limit.AppendersWaiting);
        return limit;
    }
}
