using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.IO;

namespace KafkaActors.Network.Transport;

/// <summary>
/// One authenticated TLS connection: the socket, the <see cref="SslStream"/> over it and the two pooled
/// buffers its I/O uses. At most one read and one write (or the close_notify) run at a time, started by the
/// owning <see cref="TlsConnectionActor"/>; each completion is told to that actor as a message, so actor state
/// is never touched from an I/O thread. Owned by that actor: its methods are called only from the actor's
/// mailbox, the completions run on thread-pool threads and touch only the stream and the buffer of their operation.
/// </summary>
internal sealed class TlsChannel : IThreadPoolWorkItem
{
    /// <summary>The most bytes one <see cref="SslStream.WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/> takes; writes are gathered up to it.</summary>
    public const int WriteBufferBytes = 256 * 1024;

    // SslStream hands out at most the plaintext it has decrypted, a few TLS records (16 KiB each) at best.
    private const int ReadBufferBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly SslStream _stream;
    private readonly byte[] _readBuffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
    private readonly byte[] _writeBuffer = ArrayPool<byte>.Shared.Rent(WriteBufferBytes);
    private IActorRef _owner = ActorRefs.Nobody;
    private int _writeCount;
    private bool _reading;
    private bool _writing;
    private bool _disposed;

    public TlsChannel(Socket socket, SslStream stream)
    {
        _socket = socket;
        _stream = stream;
        RemoteAddress = socket.RemoteEndPoint!;
        LocalAddress = socket.LocalEndPoint!;
    }

    public EndPoint RemoteAddress { get; }

    public EndPoint LocalAddress { get; }

    /// <summary>Where gathered writes go before <see cref="StartWrite"/>; not to be touched while a write is in progress.</summary>
    public byte[] WriteBuffer => _writeBuffer;

    /// <summary>The actor that owns this channel and receives its completions; set once it has taken the channel.</summary>
    public void AttachTo(IActorRef owner) => _owner = owner;

    /// <summary>Starts one read; a <see cref="TlsConnectionActor.ReadCompleted"/> or <see cref="TlsConnectionActor.ReadFailed"/> follows.</summary>
    public void StartRead()
    {
        _reading = true;
        _ = ReadAsync();
    }

    /// <summary>Copies out what the last read delivered (the buffer is reused by the next read).</summary>
    public ByteString TakeReceived(int count)
    {
        _reading = false;
        return ByteString.CopyFrom(_readBuffer, 0, count);
    }

    /// <summary>The last read failed or hit the end of the stream; the buffer is free.</summary>
    public void ReadEnded() => _reading = false;

    /// <summary>
    /// Writes the first <paramref name="count"/> bytes of <see cref="WriteBuffer"/>; a <see cref="TlsConnectionActor.WriteCompleted"/>
    /// or <see cref="TlsConnectionActor.WriteFailed"/> follows. Encryption runs on the thread pool, not on the actor's dispatcher.
    /// </summary>
    public void StartWrite(int count)
    {
        _writing = true;
        _writeCount = count;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>The last write finished, well or not; the buffer may be filled again.</summary>
    public void WriteEnded() => _writing = false;

    /// <summary>Sends TLS close_notify (after the writes, which must have finished); a <see cref="TlsConnectionActor.ShutdownCompleted"/> follows.</summary>
    public void StartShutdown()
    {
        _writing = true;
        _ = ShutdownAsync();
    }

    /// <summary>Sends our FIN (half-close) so the peer reads the end of our stream; false when the socket is already gone.</summary>
    public bool ShutdownOutput()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Closes with a FIN: what was written is still delivered.</summary>
    public void Close()
    {
        try
        {
            if (_socket.Connected) _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The peer reset or closed first: nothing left to flush.
        }
        Dispose();
    }

    /// <summary>Closes with a RST (linger 0): unsent bytes are dropped, as Akka.IO's Abort.</summary>
    public void Abort()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed: there is nothing to reset.
        }
        Dispose();
    }

    /// <summary>Releases the socket; a read or write still running fails with ObjectDisposedException and keeps its buffer.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // The socket first: disposing the stream first would shut the socket down (a FIN) even when aborting.
        _socket.Dispose();
        _stream.Dispose();
        // A buffer an operation may still write into or read from is left to the GC rather than handed to someone else.
        if (!_reading) ArrayPool<byte>.Shared.Return(_readBuffer);
        if (!_writing) ArrayPool<byte>.Shared.Return(_writeBuffer);
    }

    void IThreadPoolWorkItem.Execute() => _ = WriteAsync(_writeCount);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadAsync()
    {
        try
        {
            var count = await _stream.ReadAsync(_readBuffer.AsMemory(0, ReadBufferBytes)).ConfigureAwait(false);
            _owner.Tell(new TlsConnectionActor.ReadCompleted(count), ActorRefs.NoSender);
        }
        catch (Exception e)
        {
            _owner.Tell(new TlsConnectionActor.ReadFailed(e), ActorRefs.NoSender);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync(int count)
    {
        try
        {
            await _stream.WriteAsync(_writeBuffer.AsMemory(0, count)).ConfigureAwait(false);
            _owner.Tell(TlsConnectionActor.WriteCompleted.Instance, ActorRefs.NoSender);
        }
        catch (Exception e)
        {
            _owner.Tell(new TlsConnectionActor.WriteFailed(e), ActorRefs.NoSender);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ShutdownAsync()
    {
        try
        {
            await _stream.ShutdownAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The peer may be gone already; closing goes on either way.
        }
        _owner.Tell(TlsConnectionActor.ShutdownCompleted.Instance, ActorRefs.NoSender);
    }
}
