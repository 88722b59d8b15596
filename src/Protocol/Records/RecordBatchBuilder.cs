using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using KafkaActors.Protocol.Primitives;
using L = KafkaActors.Protocol.Records.RecordBatchLayout;

namespace KafkaActors.Protocol.Records;

/// <summary>
/// Appends records (RecordBatch v2 layout) straight into a caller-owned buffer, leaving room for the
/// 61-byte header, which <see cref="RecordBatchHeader.Write"/> fills when the batch is closed.
/// Allocation-free. Not thread-safe: the owner of the buffer serializes appends.
/// </summary>
public sealed class RecordBatchBuilder
{
    /// <summary>Upper bound of the per-record framing: length varint, attributes, timestamp and offset deltas, header count.</summary>
    public const int MaxRecordOverhead = Varint.MaxLength32 + 1 + Varint.MaxLength64 + Varint.MaxLength32 + Varint.MaxLength32;

    private byte[] _buffer = [];
    private int _limit;
    private int _position;

    public int RecordCount { get; private set; }
    public long BaseTimestamp { get; private set; }
    public long MaxTimestamp { get; private set; }

    /// <summary>Bytes of the batch so far, header included.</summary>
    public int SizeInBytes => _position;

    public byte[] Buffer => _buffer;

    /// <summary>Starts an empty batch in <paramref name="buffer"/>, using at most <paramref name="limit"/> bytes of it.</summary>
    public void Reset(byte[] buffer, int limit)
    {
        if (limit < L.HeaderSize || limit > buffer.Length) throw new ArgumentOutOfRangeException(nameof(limit));
        _buffer = buffer;
        _limit = limit;
        _position = L.HeaderSize;
        RecordCount = 0;
        BaseTimestamp = 0;
        MaxTimestamp = long.MinValue;
    }

    /// <summary>The records section written so far.</summary>
    public ReadOnlySpan<byte> Records => _buffer.AsSpan(L.HeaderSize, _position - L.HeaderSize);

    /// <summary>
    /// Java's <c>estimateSizeInBytesUpperBound</c>: the most a batch holding only this record can take,
    /// used for the max.request.size / buffer.memory checks before a partition is chosen.
    /// </summary>
    public static int EstimateSizeUpperBound(int keyLength, int valueLength, ReadOnlySpan<RecordHeader> headers) =>
        L.HeaderSize + MaxRecordOverhead + FieldSize(keyLength) + FieldSize(valueLength) + HeadersSize(headers);

    /// <summary>Exact size of a record once appended (with its length prefix).</summary>
    public int SizeOfRecord(long timestamp, int keyLength, int valueLength, ReadOnlySpan<RecordHeader> headers)
    {
        var body = BodySize(timestamp, keyLength, valueLength, headers);
        return Varint.SizeOfSigned(body) + body;
    }

    /// <summary>
    /// Appends one record; returns false, writing nothing, when it would not fit within the limit.
    /// A length of -1 in <paramref name="keyLength"/>/<paramref name="valueLength"/> means null.
    /// </summary>
    public bool TryAppend(long timestamp, ReadOnlySpan<byte> key, int keyLength, ReadOnlySpan<byte> value, int valueLength, ReadOnlySpan<RecordHeader> headers)
    {
        if (keyLength > key.Length || valueLength > value.Length) throw new ArgumentOutOfRangeException(keyLength > key.Length ? nameof(keyLength) : nameof(valueLength));
        var count = RecordCount;
        var timestampDelta = Varint.ZigZag64(count == 0 ? 0 : timestamp - BaseTimestamp);
        var offsetDelta = Varint.ZigZag(count);
        var body = BodySize(timestampDelta, offsetDelta, keyLength, valueLength, headers);
        var length = Varint.ZigZag(body);
        var total = Varint.SizeOfUnsigned(length) + body;
        if (total > _limit - _position) return false;

        if (count == 0) BaseTimestamp = timestamp;
        // Written through a ref without bounds checks: Reset keeps _limit within the buffer, the check above keeps the
        // record within _limit, and the sizes above are exactly what is written (asserted below).
        ref var record = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buffer), _position);
        var i = Varint.WriteUnsigned64(ref record, 0, length);
        Unsafe.Add(ref record, i++) = 0; // record attributes: unused
        i = Varint.WriteUnsigned64(ref record, i, timestampDelta);
        i = Varint.WriteUnsigned64(ref record, i, offsetDelta);
        i = PutField(ref record, i, key, keyLength);
        i = PutField(ref record, i, value, valueLength);
        if (headers.IsEmpty) Unsafe.Add(ref record, i++) = 0; // zig-zag(0): no headers
        else i = PutHeaders(_buffer.AsSpan(_position, total), i, headers);
        Debug.Assert(i == total, "A record's size and its bytes disagree.");

        _position += total;
        RecordCount = count + 1;
        if (timestamp > MaxTimestamp) MaxTimestamp = timestamp;
        return true;
    }

    /// <summary>The headers' count and fields from <paramref name="at"/> in the record's <paramref name="span"/> (bounds-checked: headers are rare).</summary>
    private static int PutHeaders(Span<byte> span, int at, ReadOnlySpan<RecordHeader> headers)
    {
        at += Varint.WriteUnsigned(span[at..], Varint.ZigZag(headers.Length));
        foreach (var header in headers)
        {
            var keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            at += Varint.WriteUnsigned(span[at..], Varint.ZigZag(keyBytes));
            at += Encoding.UTF8.GetBytes(header.Key, span[at..]);
            var headerValue = header.Value;
            if (headerValue is null) span[at++] = 1; // zig-zag(-1)
            else
            {
                at += Varint.WriteUnsigned(span[at..], Varint.ZigZag(headerValue.Length));
                headerValue.CopyTo(span[at..]);
                at += headerValue.Length;
            }
        }
        return at;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int BodySize(long timestamp, int keyLength, int valueLength, ReadOnlySpan<RecordHeader> headers) =>
        BodySize(Varint.ZigZag64(RecordCount == 0 ? 0 : timestamp - BaseTimestamp), Varint.ZigZag(RecordCount), keyLength, valueLength, headers);

    /// <summary>A record's size after its length prefix, from its zig-zagged timestamp and offset deltas.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BodySize(ulong timestampDelta, uint offsetDelta, int keyLength, int valueLength, ReadOnlySpan<RecordHeader> headers) =>
        1 + Varint.SizeOfUnsigned64(timestampDelta) + Varint.SizeOfUnsigned(offsetDelta)
          + FieldSize(keyLength) + FieldSize(valueLength) + HeadersSize(headers);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FieldSize(int length) => length < 0 ? 1 : Varint.SizeOfSigned(length) + length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HeadersSize(ReadOnlySpan<RecordHeader> headers) => headers.IsEmpty ? 1 : SizeOfHeaders(headers);

    private static int SizeOfHeaders(ReadOnlySpan<RecordHeader> headers)
    {
        var size = Varint.SizeOfSigned(headers.Length);
        foreach (var header in headers)
        {
            size += FieldSize(Encoding.UTF8.GetByteCount(header.Key));
            size += FieldSize(header.Value?.Length ?? -1);
        }
        return size;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PutField(ref byte destination, int at, ReadOnlySpan<byte> bytes, int length)
    {
        if (length < 0)
        {
            Unsafe.Add(ref destination, at) = 1; // zig-zag(-1)
            return at + 1;
        }
        at = Varint.WriteUnsigned64(ref destination, at, Varint.ZigZag(length));
        Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref destination, at), ref MemoryMarshal.GetReference(bytes), (uint)length);
        return at + length;
    }
}
