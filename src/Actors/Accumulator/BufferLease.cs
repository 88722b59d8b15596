namespace KafkaActors.Accumulator;

/// <summary>
/// One buffer taken from the <see cref="BufferPool"/>, owned by one <see cref="ProducerBatch"/> and given
/// back exactly once. While lent to a connection (a socket write may be reading it) a release waits for
/// the return. When nobody can say whether the write is over (the socket died before Akka.IO acknowledged
/// it), the lease is abandoned instead: its bytes go back to buffer.memory, the array itself to the GC, so
/// no later batch is ever written into an array a dying socket still reads.
///
/// Not thread-safe: appenders use <see cref="Buffer"/> under the partition accumulator's lock while the
/// batch is open; from then on only its partition actor touches the lease.
/// </summary>
internal sealed class BufferLease(byte[] buffer, BufferPool pool)
{
    private State _state;

    /// <summary>The leased array; empty once released or abandoned.</summary>
    public byte[] Buffer { get; private set; } = buffer;

    /// <summary>A connection holds the buffer: it may be reading it for a socket write.</summary>
    public bool IsLent => _state is State.Lent or State.LentReleasePending;

    public void Lend()
    {
        if (_state != State.Held) throw new InvalidOperationException($"Cannot lend a buffer lease that is {_state}.");
        _state = State.Lent;
    }

    /// <summary>The connection is done with the buffer (its write was acknowledged or answered); a pending release happens now.</summary>
    public void Return()
    {
        if (_state == State.LentReleasePending)
        {
            _state = State.Held;
            Release();
        }
        else if (_state == State.Lent) _state = State.Held;
    }

    /// <summary>Gives the buffer back to the pool, now or (while lent) when it is returned. Only the first call counts.</summary>
    public void Release()
    {
        switch (_state)
        {
            case State.Held:
                _state = State.Released;
                var buffer = Buffer;
                Buffer = [];
                pool.Deallocate(buffer);
                break;
            case State.Lent:
                _state = State.LentReleasePending;
                break;
        }
    }

    /// <summary>
    /// A write of this buffer may still be running and nobody will say when it ends: give its bytes back to
    /// buffer.memory but never the array, which the GC takes once the socket lets go of it.
    /// </summary>
    public void Abandon()
    {
        if (_state == State.Released) return;
        _state = State.Released;
        var length = Buffer.Length;
        Buffer = [];
        pool.DeallocateAbandoned(length);
    }

    /// <summary>
    /// For a retry after a write of unknown fate: the first <paramref name="count"/> bytes move to a new
    /// array of the same size, which takes over the old one's share of buffer.memory; the old array, which
    /// a dying socket may still read, is left to the GC. Copies only on this failure path.
    /// </summary>
    public void MoveToFreshBuffer(int count)
    {
        if (_state == State.Released) throw new InvalidOperationException("The buffer lease is already released.");
        var fresh = GC.AllocateUninitializedArray<byte>(Buffer.Length);
        Buffer.AsSpan(0, count).CopyTo(fresh);
        Buffer = fresh;
        _state = State.Held;
    }

    private enum State
    {
        Held,
        Lent,
        LentReleasePending,
        Released,
    }
}
