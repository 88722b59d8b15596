using System.Diagnostics;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Metrics;
using Xunit;

namespace KafkaActors.Tests.Accumulator;

/// <summary>
/// The pool's blocking allocation (Java's blocking send), which sleeps on its own signal and keeps its own clocks:
/// it gets memory given back by another thread, fails with BufferExhaustedException once max.block.ms has passed,
/// turns a cancellation into InterruptException, and fails when the pool closes; a waiter that gave up holds no place.
/// </summary>
public sealed class BufferPoolBlockingTests
{
    private const int Step = 16 << 10;

    [Fact]
    public async Task A_blocked_allocation_gets_the_buffer_another_thread_gives_back()
    {
        var pool = NewPool();
        var held = TakeAll(pool);
        var blocked = Task.Run(() => pool.Allocate(Step, TimeSpan.FromSeconds(30)));
        await WaitUntilQueued(pool);
        Assert.False(blocked.IsCompleted);
        pool.Deallocate(held[0]);
        Assert.Same(held[0], await blocked.WaitAsync(TimeSpan.FromSeconds(10)));
        pool.Close();
    }

    [Fact]
    public async Task A_blocked_allocation_fails_with_BufferExhaustedException_after_max_block_ms_and_leaves_the_queue()
    {
        var pool = NewPool();
        var held = TakeAll(pool);
        var waited = Stopwatch.StartNew();
        var blocked = Task.Run(() => pool.Allocate(Step, TimeSpan.FromMilliseconds(200)));
        await Assert.ThrowsAsync<BufferExhaustedException>(() => blocked.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(waited.ElapsedMilliseconds >= 150, $"gave up after {waited.ElapsedMilliseconds} ms");
        Assert.Equal(0, pool.QueuedWaiters);
        pool.Deallocate(held[0]);
        Assert.Same(held[0], pool.TryAllocate(Step)); // nobody queued ahead any more
        pool.Close();
    }

    [Fact]
    public async Task A_cancelled_blocked_allocation_fails_with_InterruptException()
    {
        var pool = NewPool();
        TakeAll(pool);
        using var cancellation = new CancellationTokenSource();
        var blocked = Task.Run(() => pool.Allocate(Step, TimeSpan.FromSeconds(30), cancellation.Token));
        await WaitUntilQueued(pool);
        cancellation.Cancel();
        await Assert.ThrowsAsync<InterruptException>(() => blocked.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, pool.QueuedWaiters);
        pool.Close();
    }

    [Fact]
    public async Task A_blocked_allocation_fails_when_the_pool_closes()
    {
        var pool = NewPool();
        TakeAll(pool);
        var blocked = Task.Run(() => pool.Allocate(Step, TimeSpan.FromSeconds(30)));
        await WaitUntilQueued(pool);
        pool.Close();
        await Assert.ThrowsAsync<ProducerClosedException>(() => blocked.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_interrupted_blocked_allocation_leaves_the_queue_and_its_thread_can_allocate_again()
    {
        var pool = NewPool();
        var held = TakeAll(pool);
        Exception? interrupted = null;
        byte[]? later = null;
        var thread = new Thread(() =>
        {
            try
            {
                pool.Allocate(Step, TimeSpan.FromSeconds(30));
            }
            catch (ThreadInterruptedException e)
            {
                interrupted = e;
            }
            later = pool.Allocate(Step, TimeSpan.FromSeconds(30));
        });
        thread.Start();
        await WaitUntilQueued(pool);
        thread.Interrupt();
        var deadline = Stopwatch.StartNew();
        while (interrupted is null && deadline.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(5);
        Assert.IsType<ThreadInterruptedException>(interrupted);
        await WaitUntilQueued(pool); // the second allocation, alone: the interrupted one left no place behind
        Assert.Equal(1, pool.QueuedWaiters);
        pool.Deallocate(held[0]);
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        Assert.Same(held[0], later);
        Assert.Equal(0, pool.QueuedWaiters);
        pool.Close();
    }

    [Fact]
    public void Blocking_again_and_again_allocates_nothing_on_the_waiting_thread_or_the_one_giving_memory_back()
    {
        // A saturated producer waits about once per batch: the wait must cost no waiter, task, signal, node or list.
        const int WarmUp = 20, Measured = 200;
        var pool = NewPool();
        var held = TakeAll(pool);
        byte[]? granted = null;
        long waiterBytes = -1;
        var waiter = new Thread(() =>
        {
            long before = 0;
            for (var i = 0; i < WarmUp + Measured; i++)
            {
                if (i == WarmUp) before = GC.GetAllocatedBytesForCurrentThread();
                Volatile.Write(ref granted, pool.Allocate(Step, TimeSpan.FromSeconds(30)));
            }
            waiterBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        waiter.Start();
        long giverBefore = 0;
        var back = held[0];
        for (var i = 0; i < WarmUp + Measured; i++)
        {
            if (i == WarmUp) giverBefore = GC.GetAllocatedBytesForCurrentThread();
            var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
            while (pool.QueuedWaiters == 0)
            {
                Assert.True(Stopwatch.GetTimestamp() < deadline, "the allocation never queued");
                Thread.Yield();
            }
            pool.Deallocate(back); // the waiter's again, once it has it
            while ((back = Interlocked.Exchange(ref granted, null)!) is null) Thread.Yield();
        }
        var giverBytes = GC.GetAllocatedBytesForCurrentThread() - giverBefore;
        Assert.True(waiter.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, waiterBytes);
        Assert.Equal(0, giverBytes);
        Assert.Equal(0, pool.QueuedWaiters);
        pool.Close();
    }

    // Java's pool (no adaptive limit): only buffer.memory holds an allocation back.
    private static BufferPool NewPool() => new(4 * Step, Step, new ProducerMetrics(30_000, 2));

    private static List<byte[]> TakeAll(BufferPool pool)
    {
        var held = new List<byte[]>();
        while (pool.TryAllocate(Step) is { } buffer) held.Add(buffer);
        Assert.Equal(4, held.Count);
        return held;
    }

    private static async Task WaitUntilQueued(BufferPool pool)
    {
        var deadline = Stopwatch.StartNew();
        while (pool.QueuedWaiters == 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the allocation never queued");
            await Task.Delay(5);
        }
    }
}
