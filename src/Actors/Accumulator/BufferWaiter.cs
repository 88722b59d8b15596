using System.Diagnostics;

namespace KafkaActors.Accumulator;

/// <summary>
/// One allocation queued in a <see cref="BufferPool"/>. Each use completes exactly once — granted, failed, timed out or
/// cancelled — whichever claims it first (<see cref="TryComplete"/>); the losers back off (a late grant hands its buffer
/// back to the pool). A waiter may be used again (<see cref="BlockingBufferWaiter"/>): each use is a new generation, and
/// a completion meant for an earlier one fails its claim, so a grant that lost a race never reaches a later allocation.
///
/// Its use's fields are set by its owner before it is queued and read by the pool under the pool's lock; completed
/// from any thread, through the claim (an Interlocked compare-and-swap).
/// </summary>
internal abstract class BufferWaiter
{
    // Twice the use's generation, plus one once that use is complete.
    private int _state;
    private long _startTicks;

    protected BufferWaiter() => Node = new LinkedListNode<BufferWaiter>(this);

    /// <summary>Its place in the pool's queue, made once: queueing again allocates nothing.</summary>
    public LinkedListNode<BufferWaiter> Node { get; }

    public int Size { get; private set; }

    /// <summary>Whether the pool's <see cref="BufferPool.Limit"/> may hold it back (its max.block.ms is long enough).</summary>
    public bool Limited { get; private set; }

    /// <summary>The current use's generation; the pool reads it, under its lock, when it takes the waiter off its queue.</summary>
    public int Generation => Volatile.Read(ref _state) >> 1;

    protected bool IsComplete => (Volatile.Read(ref _state) & 1) == 1;

    protected BufferPool Pool { get; private set; } = null!;

    /// <summary>
    /// The pool, after it took this waiter off its queue: hands over <paramref name="buffer"/>; false when use
    /// <paramref name="generation"/> already ended (the waiter gave up), and the pool takes the buffer back.
    /// </summary>
    public abstract bool Grant(byte[] buffer, int generation);

    /// <summary>The pool closed while use <paramref name="generation"/> waited.</summary>
    public abstract void Fail(Exception error, int generation);

    /// <summary>Starts a use, a new generation; by the owner, before the waiter is queued.</summary>
    protected void BeginUse(BufferPool pool, int size, bool limited)
    {
        Pool = pool;
        Size = size;
        Limited = limited;
        _startTicks = Stopwatch.GetTimestamp();
        Volatile.Write(ref _state, unchecked((Generation + 1) << 1));
    }

    /// <summary>Claims use <paramref name="generation"/>'s completion, and counts its wait; false when it has ended.</summary>
    protected bool TryComplete(int generation)
    {
        var open = unchecked(generation << 1);
        if (Interlocked.CompareExchange(ref _state, open + 1, open) != open) return false;
        Pool.RecordWait(Stopwatch.GetTimestamp() - _startTicks);
        return true;
    }
}
