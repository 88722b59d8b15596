using System.Collections;
using System.Runtime.InteropServices;
using System.Text;
using KafkaActors.Protocol.Records;

namespace KafkaActors;

/// <summary>
/// Record headers: ordered (key, value) pairs; keys may repeat (Java's <c>Headers</c>).
/// Not thread-safe; treat as read-only once the record is sent.
/// </summary>
public sealed class Headers : IReadOnlyList<RecordHeader>
{
    private readonly List<RecordHeader> _headers = [];

    public Headers Add(string key, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        _headers.Add(new RecordHeader(key, value));
        return this;
    }

    public Headers Add(string key, string? value) => Add(key, value is null ? null : Encoding.UTF8.GetBytes(value));

    /// <summary>The value of the last header with this key, or null.</summary>
    public byte[]? LastValue(string key)
    {
        for (var i = _headers.Count - 1; i >= 0; i--)
            if (_headers[i].Key == key) return _headers[i].Value;
        return null;
    }

    public int Remove(string key) => _headers.RemoveAll(h => h.Key == key);

    public int Count => _headers.Count;

    public RecordHeader this[int index] => _headers[index];

    internal ReadOnlySpan<RecordHeader> AsSpan() => CollectionsMarshal.AsSpan(_headers);

    public IEnumerator<RecordHeader> GetEnumerator() => _headers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
