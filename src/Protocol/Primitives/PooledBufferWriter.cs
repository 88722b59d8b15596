using System.Buffers;

namespace KafkaActors.Protocol.Primitives;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over pooled arrays (<see cref="ArrayPool{T}.Shared"/> unless given a pool) whose
/// written bytes stay addressable, so a frame's size prefix can be patched after the body is written.
/// Not thread-safe: one owner at a time. <see cref="Dispose"/> returns the array to the pool.
/// </summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly ArrayPool<byte> _pool;
    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity = 256) : this(initialCapacity, ArrayPool<byte>.Shared)
    {
    }

    public PooledBufferWriter(int initialCapacity, ArrayPool<byte> pool)
    {
        _pool = pool;
        _buffer = pool.Rent(Math.Max(16, initialCapacity));
    }

    public int WrittenCount => _written;

    /// <summary>The underlying array; valid until the next write that grows the buffer.</summary>
    public byte[] Buffer => _buffer;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public Span<byte> WrittenSpanMutable => _buffer.AsSpan(0, _written);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        if (count < 0 || _written + count > _buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Forgets what was written and keeps the array for reuse.</summary>
    public void Clear() => _written = 0;

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0) _pool.Return(buffer);
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1) sizeHint = 1;
        if (_buffer.Length - _written >= sizeHint) return;
        var newSize = Math.Max(_buffer.Length * 2, _written + sizeHint);
        var bigger = _pool.Rent(newSize);
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        if (_buffer.Length > 0) _pool.Return(_buffer);
        _buffer = bigger;
    }
}
