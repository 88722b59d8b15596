using System.Buffers.Binary;
using System.Text;

namespace KafkaActors.Protocol.Primitives;

/// <summary>
/// Reads Kafka's primitive types from a span. Every read checks bounds and throws
/// <see cref="KafkaProtocolException"/> on truncated input, so a malformed response never
/// reads past its frame.
/// </summary>
public ref struct ProtocolReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public ProtocolReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;
    public readonly int Remaining => _buffer.Length - _position;
    public readonly bool End => _position >= _buffer.Length;

    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    public bool ReadBool() => Take(1)[0] != 0;

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    public uint ReadUnsignedVarint()
    {
        var n = Varint.TryReadUnsigned(_buffer[_position..], out var value);
        if (n == 0) throw Truncated();
        _position += n;
        return value;
    }

    public int ReadVarint() => Varint.UnZigZag(ReadUnsignedVarint());

    public long ReadVarlong()
    {
        var n = Varint.TryReadUnsigned64(_buffer[_position..], out var value);
        if (n == 0) throw Truncated();
        _position += n;
        return Varint.UnZigZag64(value);
    }

    /// <summary>STRING / NULLABLE_STRING.</summary>
    public string? ReadString()
    {
        var length = ReadInt16();
        if (length < 0) return null;
        return Encoding.UTF8.GetString(Take(length));
    }

    /// <summary>COMPACT_STRING / COMPACT_NULLABLE_STRING.</summary>
    public string? ReadCompactString()
    {
        var length = ReadUnsignedLength();
        if (length == 0) return null;
        return Encoding.UTF8.GetString(Take(length - 1));
    }

    public string? ReadString(bool flexible) => flexible ? ReadCompactString() : ReadString();

    /// <summary>A non-null STRING / COMPACT_STRING's UTF-8 bytes, not decoded (see <see cref="Utf8StringCache"/>).</summary>
    public ReadOnlySpan<byte> ReadRequiredStringBytes(bool flexible)
    {
        var length = flexible ? ReadUnsignedLength() - 1 : ReadInt16();
        if (length < 0) throw new KafkaProtocolException("Unexpected null string.");
        return Take(length);
    }

    /// <summary>Non-null string; a null where the schema forbids one is a protocol error.</summary>
    public string ReadRequiredString(bool flexible) =>
        ReadString(flexible) ?? throw new KafkaProtocolException("Unexpected null string.");

    /// <summary>Array length in either encoding; -1 means a null array.</summary>
    public int ReadArrayLength(bool flexible)
    {
        int count;
        if (flexible) count = ReadUnsignedLength() - 1;
        else count = ReadInt32();
        // Each element takes at least one byte: a larger count means a corrupt frame.
        if (count > Remaining) throw new KafkaProtocolException($"Array length {count} exceeds the {Remaining} bytes left.");
        return count;
    }

    /// <summary>BYTES / NULLABLE_BYTES / RECORDS in either encoding; returns false for null.</summary>
    public bool TryReadBytes(bool flexible, out ReadOnlySpan<byte> bytes)
    {
        int length;
        if (flexible) length = ReadUnsignedLength() - 1;
        else length = ReadInt32();
        if (length < 0)
        {
            bytes = default;
            return false;
        }
        bytes = Take(length);
        return true;
    }

    /// <summary>Skips a tagged-field section (we read no tagged fields we don't know).</summary>
    public void SkipTaggedFields()
    {
        var count = ReadUnsignedVarint();
        for (var i = 0; i < count; i++)
        {
            ReadUnsignedVarint(); // tag
            Take(ReadUnsignedLength());
        }
    }

    /// <summary>Reads a tagged-field section, keeping the bytes of tag <paramref name="wanted"/> if present; others are skipped.</summary>
    public bool ReadTaggedField(uint wanted, out ReadOnlySpan<byte> field)
    {
        field = default;
        var found = false;
        var count = ReadUnsignedVarint();
        for (var i = 0; i < count; i++)
        {
            var tag = ReadUnsignedVarint();
            var bytes = Take(ReadUnsignedLength());
            if (tag != wanted) continue;
            field = bytes;
            found = true;
        }
        return found;
    }

    public ReadOnlySpan<byte> ReadRaw(int count) => Take(count);

    public void Skip(int count) => Take(count);

    /// <summary>
    /// An unsigned varint used as a length, count or size. One above int.MaxValue is a corrupt frame, and
    /// must fail as such (a checked cast would throw OverflowException, which callers do not expect).
    /// </summary>
    private int ReadUnsignedLength()
    {
        var value = ReadUnsignedVarint();
        if (value > int.MaxValue) throw new KafkaProtocolException($"Length {value} before byte {_position} of {_buffer.Length} is out of range.");
        return (int)value;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _buffer.Length - _position) throw Truncated();
        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    private readonly KafkaProtocolException Truncated() =>
        new($"Truncated input at byte {_position} of {_buffer.Length}.");
}
