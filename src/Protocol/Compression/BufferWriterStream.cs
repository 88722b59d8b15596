using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Compression;

/// <summary>A write-only <see cref="Stream"/> over a <see cref="PooledBufferWriter"/>, for codecs that only speak streams.</summary>
internal sealed class BufferWriterStream(PooledBufferWriter output) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => output.WrittenCount;
    public override long Position { get => output.WrittenCount; set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        buffer.CopyTo(output.GetSpan(buffer.Length));
        output.Advance(buffer.Length);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
