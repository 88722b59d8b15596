using KafkaActors.Protocol.Primitives;
using Xunit;

namespace KafkaActors.Protocol.Tests;

public class VarintTests
{
    [Theory]
    [InlineData(0, "00")]
    [InlineData(-1, "01")]
    [InlineData(1, "02")]
    [InlineData(-64, "7F")]
    [InlineData(64, "8001")]
    [InlineData(150, "AC02")]
    [InlineData(int.MaxValue, "FEFFFFFF0F")]
    [InlineData(int.MinValue, "FFFFFFFF0F")]
    public void Zigzag_varint_matches_protobuf_encoding(int value, string hex)
    {
        var buffer = new byte[5];
        var n = Varint.WriteSigned(buffer, value);
        Assert.Equal(hex, Hex.Format(buffer.AsSpan(0, n)));
        Assert.Equal(n, Varint.SizeOfSigned(value));
        var reader = new ProtocolReader(buffer.AsSpan(0, n));
        Assert.Equal(value, reader.ReadVarint());
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(1_700_000_000_000L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void Varlong_round_trips(long value)
    {
        var buffer = new byte[10];
        var n = Varint.WriteSigned64(buffer, value);
        Assert.Equal(n, Varint.SizeOfSigned64(value));
        var reader = new ProtocolReader(buffer.AsSpan(0, n));
        Assert.Equal(value, reader.ReadVarlong());
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData(0u, "00")]
    [InlineData(127u, "7F")]
    [InlineData(128u, "8001")]
    [InlineData(300u, "AC02")]
    [InlineData(uint.MaxValue, "FFFFFFFF0F")]
    public void Unsigned_varint_matches_kafka_encoding(uint value, string hex)
    {
        var buffer = new byte[5];
        var n = Varint.WriteUnsigned(buffer, value);
        Assert.Equal(hex, Hex.Format(buffer.AsSpan(0, n)));
        Assert.Equal(n, Varint.SizeOfUnsigned(value));
    }

    [Fact]
    public void Truncated_varint_is_a_protocol_error()
    {
        var ex = Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new ProtocolReader([0x80, 0x80]);
            reader.ReadUnsignedVarint();
        });
        Assert.Contains("Truncated", ex.Message);
    }
}
