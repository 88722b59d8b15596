using System.Text;

namespace KafkaActors.Protocol.Primitives;

/// <summary>
/// Strings decoded from UTF-8 wire bytes, kept so that a name a reader meets again and again (a topic in every
/// Produce response) is decoded without a new string each time. Holds at most <c>capacity</c> strings; past that,
/// new ones are decoded but not kept. Owned by one reader (a connection); not thread-safe.
/// </summary>
public sealed class Utf8StringCache
{
    // Topic names are at most 249 characters; longer strings are decoded as usual, never kept.
    private const int MaxCachedBytes = 512;

    private readonly int _capacity;
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public Utf8StringCache(int capacity = 1024)
    {
        _capacity = capacity;
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The string these UTF-8 bytes encode: the kept instance when there is one.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxCachedBytes) return Encoding.UTF8.GetString(utf8);
        // UTF-8 never decodes to more UTF-16 chars than it has bytes (an invalid byte becomes one U+FFFD).
        Span<char> chars = stackalloc char[utf8.Length];
        var decoded = chars[..Encoding.UTF8.GetChars(utf8, chars)];
        if (_lookup.TryGetValue(decoded, out var known)) return known;
        var text = new string(decoded);
        if (_strings.Count < _capacity) _strings[text] = text;
        return text;
    }
}
