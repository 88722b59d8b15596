using System.Buffers;
using System.Buffers.Binary;

namespace KafkaActors.Protocol.Framing;

/// <summary>
/// Splits a TCP byte stream into size-prefixed Kafka frames. Bytes arrive in arbitrary chunks;
/// <see cref="TryReadFrame"/> yields each complete frame (without its size prefix) as a span that
/// stays valid until the next <see cref="Append"/>. Not thread-safe: owned by one connection.
/// </summary>
public sealed class FrameDecoder : IDisposable
{
    private readonly int _maxFrameSize;
    private byte[] _buffer;
    private int _start;
    private int _end;

    public FrameDecoder(int maxFrameSize = 128 * 1024 * 1024, int initialCapacity = 64 * 1024)
    {
        _maxFrameSize = maxFrameSize;
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    /// <summary>Bytes received but not yet returned as a frame.</summary>
    public int Buffered => _end - _start;

    public void Append(ReadOnlySpan<byte> data)
    {
        EnsureRoom(data.Length);
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>Returns a writable region of at least <paramref name="sizeHint"/> bytes to receive into; then call <see cref="Commit"/>.</summary>
    public Span<byte> GetAppendSpan(int sizeHint)
    {
        EnsureRoom(sizeHint);
        return _buffer.AsSpan(_end);
    }

    public void Commit(int count) => _end += count;

    public bool TryReadFrame(out ReadOnlySpan<byte> frame)
    {
        frame = default;
        var available = _end - _start;
        if (available < 4) return false;
        var size = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start, 4));
        if (size < 0 || size > _maxFrameSize)
            throw new KafkaProtocolException($"Invalid frame size {size} (max {_maxFrameSize}).");
        if (available < 4 + size) return false;
        frame = _buffer.AsSpan(_start + 4, size);
        _start += 4 + size;
        if (_start == _end) _start = _end = 0; // cheap reset keeps the common case copy-free
        return true;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }

    private void EnsureRoom(int extra)
    {
        if (_buffer.Length - _end >= extra) return;
        var live = _end - _start;
        if (_buffer.Length - live >= extra && _start > 0)
        {
            // Enough room once the consumed prefix is dropped: slide the live bytes down.
            _buffer.AsSpan(_start, live).CopyTo(_buffer);
        }
        else
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, live + extra));
            _buffer.AsSpan(_start, live).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        _start = 0;
        _end = live;
    }
}
