using Akka.Actor;
using Akka.IO;

namespace KafkaActors.Network.Transport;

/// <summary>
/// The writes a <see cref="TlsConnectionActor"/> has accepted but not yet acknowledged, in arrival order.
/// <see cref="Fill"/> gathers the next bytes of as many queued writes as fit into one buffer (so many small
/// writes share TLS records, and one large write is cut into buffer-sized pieces); once that buffer is
/// written, <see cref="TryTakeWritten"/> yields the writes whose last byte it held, in order, for their acks.
/// Owned by that actor; not thread-safe.
/// </summary>
internal sealed class TlsWriteQueue
{
    private readonly Queue<PendingWrite> _queued = new();
    private readonly Queue<PendingWrite> _inBuffer = new();
    private int _headOffset; // bytes of the first queued write already gathered into an earlier buffer

    /// <summary>Whether some write still has bytes (or, being empty, an ack) not yet gathered.</summary>
    public bool HasQueued => _queued.Count > 0;

    /// <summary>Whether anything is accepted but not yet acknowledged: queued, or gathered into the buffer being written.</summary>
    public bool IsEmpty => _queued.Count == 0 && _inBuffer.Count == 0;

    public void Enqueue(Tcp.Write write, IActorRef sender)
    {
        // An empty write without an ack asks for nothing; an empty write with one is acked in its turn.
        if (write.Data.IsEmpty && !write.WantsAck) return;
        _queued.Enqueue(new PendingWrite(write.Data, write.Ack, sender));
    }

    /// <summary>Copies the next queued bytes into <paramref name="buffer"/>; returns how many (0 when only empty writes were due).</summary>
    public int Fill(byte[] buffer)
    {
        var position = 0;
        while (position < buffer.Length && _queued.TryPeek(out var head))
        {
            var take = Math.Min(head.Data.Count - _headOffset, buffer.Length - position);
            if (take > 0)
            {
                // ByteString copies from its start only; a write cut across buffers is sliced (one small object per piece).
                var source = _headOffset == 0 && take == head.Data.Count ? head.Data : head.Data.Slice(_headOffset, take);
                source.CopyTo(buffer, position, take);
                position += take;
                _headOffset += take;
            }
            if (_headOffset < head.Data.Count) break;
            _queued.Dequeue();
            _inBuffer.Enqueue(head);
            _headOffset = 0;
        }
        return position;
    }

    /// <summary>After the buffer from the last <see cref="Fill"/> is written: the next write that is now fully written.</summary>
    public bool TryTakeWritten(out PendingWrite write) => _inBuffer.TryDequeue(out write);

    /// <summary>Everyone who sent a write that is not acknowledged yet (Akka.IO tells them, too, how the connection closed).</summary>
    public IEnumerable<IActorRef> Senders()
    {
        foreach (var w in _inBuffer) yield return w.Sender;
        foreach (var w in _queued) yield return w.Sender;
    }

    public void Clear()
    {
        _queued.Clear();
        _inBuffer.Clear();
        _headOffset = 0;
    }

    /// <summary>One accepted <see cref="Tcp.Write"/>: its bytes, and the ack owed to its sender.</summary>
    internal readonly record struct PendingWrite(ByteString Data, Tcp.Event Ack, IActorRef Sender)
    {
        public bool WantsAck => Ack is not Tcp.NoAck;
    }
}
