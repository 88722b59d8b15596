using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;
using Xunit;

namespace KafkaActors.Protocol.Tests;

/// <summary>
/// Unsigned-varint lengths above int.MaxValue (here FF FF FF FF 0F = 2^32-1) in flexible versions must be
/// protocol errors like any other corrupt length: the connection code catches only KafkaProtocolException.
/// </summary>
public class MalformedLengthTests
{
    private const string Huge = "FFFFFFFF0F";

    [Fact]
    public void Compact_array_length() =>
        Assert.Throws<KafkaProtocolException>(() => new ProtocolReader(Hex.Parse(Huge + "00")).ReadArrayLength(flexible: true));

    [Fact]
    public void Compact_string_length() =>
        Assert.Throws<KafkaProtocolException>(() => new ProtocolReader(Hex.Parse(Huge + "00")).ReadCompactString());

    [Fact]
    public void Compact_bytes_length() =>
        Assert.Throws<KafkaProtocolException>(() => new ProtocolReader(Hex.Parse(Huge + "00")).TryReadBytes(true, out _));

    [Fact]
    public void Tagged_field_size() =>
        Assert.Throws<KafkaProtocolException>(() => new ProtocolReader(Hex.Parse("01 00" + Huge + "00")).SkipTaggedFields());

    [Fact]
    public void Flexible_produce_response_with_a_huge_topic_count() =>
        // ProduceResponse v9: the topics count is the first field.
        Assert.Throws<KafkaProtocolException>(() => ProduceResponse.Parse(Hex.Parse(Huge + "00000000 00"), 9));
}
