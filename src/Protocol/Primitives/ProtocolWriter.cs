using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace KafkaActors.Protocol.Primitives;

/// <summary>
/// Writes Kafka's primitive types (big-endian integers, varints, classic and compact strings,
/// arrays, tagged fields) into an <see cref="IBufferWriter{T}"/>.
/// A <c>ref struct</c> so encoding a request never allocates; requests are encoded again on
/// every retry, so it has no side effects beyond the output buffer.
/// </summary>
public ref struct ProtocolWriter
{
    private readonly IBufferWriter<byte> _output;

    public ProtocolWriter(IBufferWriter<byte> output)
    {
        _output = output;
        Written = 0;
    }

    /// <summary>Bytes written through this writer so far.</summary>
    public int Written { get; private set; }

    public void WriteInt8(sbyte value)
    {
        _output.GetSpan(1)[0] = (byte)value;
        Advance(1);
    }

    public void WriteBool(bool value) => WriteInt8(value ? (sbyte)1 : (sbyte)0);

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_output.GetSpan(2), value);
        Advance(2);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_output.GetSpan(4), value);
        Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_output.GetSpan(8), value);
        Advance(8);
    }

    public void WriteUuid(Guid value)
    {
        value.TryWriteBytes(_output.GetSpan(16), bigEndian: true, out _);
        Advance(16);
    }

    public void WriteUnsignedVarint(uint value)
    {
        var n = Varint.WriteUnsigned(_output.GetSpan(Varint.MaxLength32), value);
        Advance(n);
    }

    public void WriteVarint(int value)
    {
        var n = Varint.WriteSigned(_output.GetSpan(Varint.MaxLength32), value);
        Advance(n);
    }

    public void WriteVarlong(long value)
    {
        var n = Varint.WriteSigned64(_output.GetSpan(Varint.MaxLength64), value);
        Advance(n);
    }

    /// <summary>STRING / NULLABLE_STRING: int16 length (-1 for null), then UTF-8.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt16(-1);
            return;
        }
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > short.MaxValue) throw new ArgumentException("String longer than 32767 bytes.", nameof(value));
        WriteInt16((short)length);
        WriteUtf8(value, length);
    }

    /// <summary>COMPACT_STRING / COMPACT_NULLABLE_STRING: unsigned varint length+1 (0 for null), then UTF-8.</summary>
    public void WriteCompactString(string? value)
    {
        if (value is null)
        {
            WriteUnsignedVarint(0);
            return;
        }
        var length = Encoding.UTF8.GetByteCount(value);
        WriteUnsignedVarint((uint)length + 1);
        WriteUtf8(value, length);
    }

    /// <summary>Writes a string in the encoding the message version asks for.</summary>
    public void WriteString(string? value, bool flexible)
    {
        if (flexible) WriteCompactString(value);
        else WriteString(value);
    }

    /// <summary>BYTES / NULLABLE_BYTES: int32 length (-1 for null), then the bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        WriteRaw(value);
    }

    /// <summary>COMPACT_BYTES: unsigned varint length+1, then the bytes.</summary>
    public void WriteCompactBytes(ReadOnlySpan<byte> value)
    {
        WriteUnsignedVarint((uint)value.Length + 1);
        WriteRaw(value);
    }

    /// <summary>Array length in the encoding the message version asks for (-1 / 0 meaning null).</summary>
    public void WriteArrayLength(int count, bool flexible)
    {
        if (flexible) WriteUnsignedVarint(count < 0 ? 0u : (uint)count + 1);
        else WriteInt32(count);
    }

    /// <summary>The length prefix of a RECORDS field (nullable bytes) in either encoding.</summary>
    public void WriteBytesLength(int length, bool flexible)
    {
        if (flexible) WriteUnsignedVarint(length < 0 ? 0u : (uint)length + 1);
        else WriteInt32(length);
    }

    /// <summary>An empty tagged-field section: flexible versions end every struct with one.</summary>
    public void WriteEmptyTaggedFields() => WriteUnsignedVarint(0);

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        bytes.CopyTo(_output.GetSpan(bytes.Length));
        Advance(bytes.Length);
    }

    private void WriteUtf8(string value, int length)
    {
        if (length == 0) return;
        Encoding.UTF8.GetBytes(value, _output.GetSpan(length));
        Advance(length);
    }

    private void Advance(int count)
    {
        _output.Advance(count);
        Written += count;
    }
}
