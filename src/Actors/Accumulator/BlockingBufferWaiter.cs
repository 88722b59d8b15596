using System.Diagnostics;
using KafkaActors.Errors;

namespace KafkaActors.Accumulator;

/// <summary>
/// An allocation that blocks its thread (<see cref="BufferPool.Allocate"/>, Java's blocking send). It sleeps on its own
/// signal, without spinning first as a Task's wait would: memory comes back only once a broker has answered, long after
/// any spin, and a spinning sender takes CPU from the threads that free it. Its clocks are its own thread's, so a wait
/// costs no timer or registration, and a thread keeps one waiter for all its waits (it waits for one allocation at a
/// time): a saturated producer waits about once per batch, and that allocates nothing.
///
/// Owned by one thread, which begins each use and waits it out; granted or failed from any thread (see
/// <see cref="BufferWaiter"/>). The outcome fields are written by the use's completer before the signal is set and read
/// by the owner after it.
/// </summary>
internal sealed class BlockingBufferWaiter : BufferWaiter
{
    [ThreadStatic] private static BlockingBufferWaiter? t_waiter;

    // Never disposed: it lives as long as its thread and holds no kernel handle (its WaitHandle is never asked for).
    // A completer may still be inside Set when the owner wakes and begins its next use; that can only wake a later wait
    // early, which waits on (Wait sleeps again until the signal is set).
    private readonly ManualResetEventSlim _signal = new(false, spinCount: 0);
    private byte[]? _buffer;
    private Exception? _error;

    /// <summary>The calling thread's waiter, begun for an allocation of <paramref name="size"/> bytes from <paramref name="pool"/>.</summary>
    public static BlockingBufferWaiter Begin(BufferPool pool, int size, bool limited)
    {
        // The thread's waiter is taken while in use and given back once its use is over (see Wait). A wait left by an
        // exception Wait does not expect may still be queued or completing, so that waiter is never given back, and this
        // thread starts a new one.
        var waiter = t_waiter ?? new BlockingBufferWaiter();
        t_waiter = null;
        waiter._buffer = null;
        waiter._error = null;
        waiter._signal.Reset();
        waiter.BeginUse(pool, size, limited);
        return waiter;
    }

    /// <summary>
    /// Sleeps until the buffer is granted, or fails: with <see cref="BufferExhaustedException"/> after
    /// <paramref name="maxWait"/>, <see cref="InterruptException"/> once <paramref name="cancellation"/> is cancelled, or
    /// what the pool failed it with. Giving up takes the waiter off the pool's queue.
    /// </summary>
    public byte[] Wait(TimeSpan maxWait, CancellationToken cancellation)
    {
        var generation = Generation;
        var started = Stopwatch.GetTimestamp();
        try
        {
            while (true)
            {
                var leftMs = Math.Ceiling((maxWait - Stopwatch.GetElapsedTime(started)).TotalMilliseconds);
                if (leftMs <= 0)
                {
                    if (TryGiveUp(generation)) throw Pool.Exhausted(Size, (long)maxWait.TotalMilliseconds);
                    break; // granted or failed just now
                }
                // In slices a wait accepts (int milliseconds): max.block.ms may be longer.
                if (_signal.Wait((int)Math.Min(int.MaxValue, leftMs), cancellation)) break;
            }
        }
        catch (OperationCanceledException e)
        {
            if (TryGiveUp(generation)) throw new InterruptException("Interrupted while waiting for buffer memory.", e);
        }
        catch (ThreadInterruptedException)
        {
            // Thread.Interrupt (once: the next blocking call no longer throws): given up as a cancellation is, and a
            // buffer granted meanwhile goes back to the pool; then the interrupt goes on to the caller.
            if (!TryGiveUp(generation) && TakeOutcome() is { } granted) Pool.Deallocate(granted);
            throw;
        }
        if (TakeOutcome() is { } buffer) return buffer;
        throw _error!;
    }

    /// <summary>Ends use <paramref name="generation"/> here, off the pool's queue, unless it was granted or failed first.</summary>
    private bool TryGiveUp(int generation)
    {
        if (!TryComplete(generation)) return false;
        Pool.Withdraw(this);
        t_waiter = this; // over: nobody else completes this use
        return true;
    }

    /// <summary>
    /// The granted buffer, or null when failed (<c>_error</c>), once the use's completer (another thread, which may
    /// still be writing the outcome) has set the signal; the waiter is then the thread's again.
    /// </summary>
    private byte[]? TakeOutcome()
    {
        _signal.Wait();
        t_waiter = this; // over: the completer is done with it
        return _buffer;
    }

    public override bool Grant(byte[] buffer, int generation)
    {
        if (!TryComplete(generation)) return false;
        _buffer = buffer;
        _signal.Set();
        return true;
    }

    public override void Fail(Exception error, int generation)
    {
        if (!TryComplete(generation)) return;
        _error = error;
        _signal.Set();
    }
}
