namespace KafkaActors.Accumulator;

/// <summary>
/// An allocation awaited as a Task (<see cref="BufferPool.AllocateAsync"/>: the ProducerActor's and the stream stage's
/// waits), with a timer for max.block.ms and the caller's cancellation. Used once.
/// Made by the pool; completed from any thread (see <see cref="BufferWaiter"/>).
/// </summary>
internal sealed class AsyncBufferWaiter : BufferWaiter
{
    private readonly TaskCompletionSource<byte[]> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Timer? _timer;
    private CancellationTokenRegistration _registration;
    private long _maxWaitMs;

    public AsyncBufferWaiter(BufferPool pool, int size, bool limited) => BeginUse(pool, size, limited);

    public Task<byte[]> Task => _completion.Task;

    /// <summary>Starts the clocks; called once the waiter is queued, so a grant may already have beaten it.</summary>
    public void Arm(TimeSpan maxWait, CancellationToken cancellation)
    {
        _maxWaitMs = (long)maxWait.TotalMilliseconds;
        _timer = new Timer(static state => ((AsyncBufferWaiter)state!).Expire(null), this, maxWait, Timeout.InfiniteTimeSpan);
        if (cancellation.CanBeCanceled) _registration = cancellation.Register(() => Expire(cancellation));
        if (IsComplete) Cleanup(); // granted meanwhile: stop the clocks just started
    }

    public override bool Grant(byte[] buffer, int generation)
    {
        if (!TryComplete(generation)) return false;
        Cleanup();
        _completion.TrySetResult(buffer);
        return true;
    }

    public override void Fail(Exception error, int generation)
    {
        if (!TryComplete(generation)) return;
        Cleanup();
        _completion.TrySetException(error);
    }

    private void Expire(CancellationToken? cancelled)
    {
        if (!TryComplete(Generation)) return; // used once: its only generation
        Pool.Withdraw(this);
        Cleanup();
        if (cancelled is { } token) _completion.TrySetCanceled(token);
        else _completion.TrySetException(Pool.Exhausted(Size, _maxWaitMs));
    }

    private void Cleanup()
    {
        Interlocked.Exchange(ref _timer, null)?.Dispose();
        _registration.Dispose();
    }
}
