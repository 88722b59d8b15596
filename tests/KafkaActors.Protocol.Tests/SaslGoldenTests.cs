using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;
using Xunit;

namespace KafkaActors.Protocol.Tests;

/// <summary>
/// SaslHandshake (key 17) and SaslAuthenticate (key 36) frames byte for byte in both directions, derived field by
/// field from SaslHandshakeRequest/Response.json and SaslAuthenticateRequest/Response.json; plus the server-side
/// writers (ApiVersions response, request header reading) a test relay uses. Each '|' separates two fields.
/// </summary>
public class SaslGoldenTests
{
    private static string EncodeRequest(IKafkaRequest request, short version)
    {
        using var buffer = new PooledBufferWriter();
        RequestEncoder.Encode(buffer, request, version, 7, "c");
        return Hex.Format(buffer.WrittenSpan);
    }

    private static string EncodeResponse(IKafkaResponse response, short version)
    {
        using var buffer = new PooledBufferWriter();
        ResponseEncoder.Encode(buffer, response, version, 7);
        return Hex.Format(buffer.WrittenSpan);
    }

    private static string Expected(string hex) => Hex.Format(Hex.Parse(hex));

    /// <summary>Reads a request frame as a server does: size, header, then the body at the header's version.</summary>
    private static (RequestHeader Header, byte[] Body) ReadRequestFrame(string hex)
    {
        var frame = Hex.Parse(hex);
        var reader = new ProtocolReader(frame);
        Assert.Equal(frame.Length - 4, reader.ReadInt32());
        var header = RequestHeader.Read(ref reader);
        return (header, reader.ReadRaw(reader.Remaining).ToArray());
    }

    /// <summary>Reads a response frame as the client does, returning the body.</summary>
    private static byte[] ReadResponseFrame(string hex, ApiKey key, short version)
    {
        var frame = Hex.Parse(hex);
        var reader = new ProtocolReader(frame);
        Assert.Equal(frame.Length - 4, reader.ReadInt32());
        Assert.Equal(7, ResponseHeader.Read(ref reader, key, version));
        return reader.ReadRaw(reader.Remaining).ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void SaslHandshake_request_is_a_classic_string_under_header_v1(short version)
    {
        // size 18 | key 17 | version | corr 7 | client "c" | mechanism "PLAIN"
        var hex = $"00000012 | 0011 | 000{version} | 00000007 | 0001 63 | 0005 504C41494E";
        Assert.Equal(Expected(hex), EncodeRequest(new SaslHandshakeRequest("PLAIN"), version));

        var (header, body) = ReadRequestFrame(hex);
        Assert.Equal(new RequestHeader(ApiKey.SaslHandshake, version, 7, "c"), header);
        Assert.Equal("PLAIN", SaslHandshakeRequest.Parse(body, version).Mechanism);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void SaslHandshake_response_lists_mechanisms_under_header_v0(short version)
    {
        // size 32 | corr 7 | error 0 | array(2) | "PLAIN" | "SCRAM-SHA-256"
        const string hex = "00000020 | 00000007 | 0000 | 00000002 | 0005 504C41494E | 000D 534352414D2D5348412D323536";
        var response = new SaslHandshakeResponse(ErrorCode.None, ["PLAIN", "SCRAM-SHA-256"]);
        Assert.Equal(Expected(hex), EncodeResponse(response, version));

        var parsed = SaslHandshakeResponse.Parse(ReadResponseFrame(hex, ApiKey.SaslHandshake, version), version);
        Assert.Equal(ErrorCode.None, parsed.ErrorCode);
        Assert.Equal(["PLAIN", "SCRAM-SHA-256"], parsed.Mechanisms);
    }

    [Fact]
    public void SaslHandshake_response_unsupported_mechanism()
    {
        var parsed = SaslHandshakeResponse.Parse(Hex.Parse("0021 | 00000001 | 0005 504C41494E"), 1);
        Assert.Equal(ErrorCode.UnsupportedSaslMechanism, parsed.ErrorCode);
        Assert.Equal(["PLAIN"], parsed.Mechanisms);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void SaslAuthenticate_v0_v1_request_is_classic_bytes(short version)
    {
        // size 18 | key 36 | version | corr 7 | client "c" | bytes(3)
        var hex = $"00000012 | 0024 | 000{version} | 00000007 | 0001 63 | 00000003 010203";
        Assert.Equal(Expected(hex), EncodeRequest(new SaslAuthenticateRequest([1, 2, 3]), version));

        var (header, body) = ReadRequestFrame(hex);
        Assert.Equal(new RequestHeader(ApiKey.SaslAuthenticate, version, 7, "c"), header);
        Assert.Equal([1, 2, 3], SaslAuthenticateRequest.Parse(body, version).AuthBytes);
    }

    [Fact]
    public void SaslAuthenticate_v2_request_is_flexible()
    {
        // size 17 | key 36 | v2 | corr 7 | client "c" | header tags | compact bytes(3) | tags
        const string hex = "00000011 | 0024 | 0002 | 00000007 | 0001 63 | 00 | 04 010203 | 00";
        Assert.Equal(Expected(hex), EncodeRequest(new SaslAuthenticateRequest([1, 2, 3]), 2));

        var (header, body) = ReadRequestFrame(hex);
        Assert.Equal(new RequestHeader(ApiKey.SaslAuthenticate, 2, 7, "c"), header);
        Assert.Equal([1, 2, 3], SaslAuthenticateRequest.Parse(body, 2).AuthBytes);
    }

    [Fact]
    public void SaslAuthenticate_v0_response_has_no_session_lifetime()
    {
        // size 14 | corr 7 | error 0 | null message | bytes(2)
        const string hex = "0000000E | 00000007 | 0000 | FFFF | 00000002 ABCD";
        var response = new SaslAuthenticateResponse(ErrorCode.None, null, [0xAB, 0xCD], 3_600_000);
        Assert.Equal(Expected(hex), EncodeResponse(response, 0));

        var parsed = SaslAuthenticateResponse.Parse(ReadResponseFrame(hex, ApiKey.SaslAuthenticate, 0), 0);
        Assert.Equal(ErrorCode.None, parsed.ErrorCode);
        Assert.Null(parsed.ErrorMessage);
        Assert.Equal([0xAB, 0xCD], parsed.AuthBytes);
        Assert.Equal(0, parsed.SessionLifetimeMs);
    }

    [Fact]
    public void SaslAuthenticate_v1_response_adds_session_lifetime()
    {
        // size 22 | corr 7 | error 0 | null message | bytes(2) | lifetime 3600000
        const string hex = "00000016 | 00000007 | 0000 | FFFF | 00000002 ABCD | 000000000036EE80";
        var response = new SaslAuthenticateResponse(ErrorCode.None, null, [0xAB, 0xCD], 3_600_000);
        Assert.Equal(Expected(hex), EncodeResponse(response, 1));

        var parsed = SaslAuthenticateResponse.Parse(ReadResponseFrame(hex, ApiKey.SaslAuthenticate, 1), 1);
        Assert.Equal([0xAB, 0xCD], parsed.AuthBytes);
        Assert.Equal(3_600_000, parsed.SessionLifetimeMs);
    }

    [Fact]
    public void SaslAuthenticate_v2_response_is_flexible_under_header_v1()
    {
        // size 21 | corr 7 | header tags | error 58 | compact "bad" | compact empty bytes | lifetime 0 | tags
        const string hex = "00000015 | 00000007 | 00 | 003A | 04 626164 | 01 | 0000000000000000 | 00";
        var response = new SaslAuthenticateResponse(ErrorCode.SaslAuthenticationFailed, "bad", [], 0);
        Assert.Equal(Expected(hex), EncodeResponse(response, 2));

        var parsed = SaslAuthenticateResponse.Parse(ReadResponseFrame(hex, ApiKey.SaslAuthenticate, 2), 2);
        Assert.Equal(ErrorCode.SaslAuthenticationFailed, parsed.ErrorCode);
        Assert.Equal("bad", parsed.ErrorMessage);
        Assert.Empty(parsed.AuthBytes);
        Assert.Equal(0, parsed.SessionLifetimeMs);
    }

    [Fact]
    public void SaslAuthenticate_v2_response_skips_unknown_tagged_fields()
    {
        var parsed = SaslAuthenticateResponse.Parse(Hex.Parse("0000 | 00 | 02 AB | 0000000000000001 | 01 05 01 FF"), 2);
        Assert.Null(parsed.ErrorMessage);
        Assert.Equal([0xAB], parsed.AuthBytes);
        Assert.Equal(1, parsed.SessionLifetimeMs);
    }

    [Fact]
    public void SaslAuthenticate_messages_do_not_print_their_bytes()
    {
        var request = new SaslAuthenticateRequest("\0user\0pencil"u8.ToArray());
        Assert.DoesNotContain("pencil", request.ToString());
        Assert.DoesNotContain("112", request.ToString()); // nor the bytes as numbers ('p' = 112)
        Assert.Contains("12 bytes", request.ToString());
    }

    [Fact]
    public void Sasl_flexibility_and_versions()
    {
        Assert.Equal(new ApiVersionRange(0, 1), ClientApiVersions.For(ApiKey.SaslHandshake));
        Assert.Equal(new ApiVersionRange(0, 2), ClientApiVersions.For(ApiKey.SaslAuthenticate));
        Assert.False(ClientApiVersions.IsFlexible(ApiKey.SaslHandshake, 1));
        Assert.False(ClientApiVersions.IsFlexible(ApiKey.SaslAuthenticate, 1));
        Assert.True(ClientApiVersions.IsFlexible(ApiKey.SaslAuthenticate, 2));
        Assert.Equal(1, ClientApiVersions.RequestHeaderVersion(ApiKey.SaslHandshake, 1));
        Assert.Equal(0, ClientApiVersions.ResponseHeaderVersion(ApiKey.SaslHandshake, 1));
        Assert.Equal(2, ClientApiVersions.RequestHeaderVersion(ApiKey.SaslAuthenticate, 2));
        Assert.Equal(1, ClientApiVersions.ResponseHeaderVersion(ApiKey.SaslAuthenticate, 2));
    }

    private static ApiVersionsResponse SampleApiVersions() => new(ErrorCode.None,
        new Dictionary<ApiKey, ApiVersionRange>
        {
            [ApiKey.SaslAuthenticate] = new(0, 2),
            [ApiKey.Produce] = new(3, 11),
            [ApiKey.SaslHandshake] = new(0, 1),
        }, 100);

    [Fact]
    public void ApiVersions_v0_response_is_written_in_key_order()
    {
        // size 28 | corr 7 | error 0 | array(3) | Produce 3-11 | SaslHandshake 0-1 | SaslAuthenticate 0-2
        const string hex = "0000001C | 00000007 | 0000 | 00000003 | 0000 0003 000B | 0011 0000 0001 | 0024 0000 0002";
        Assert.Equal(Expected(hex), EncodeResponse(SampleApiVersions(), 0));
        var parsed = ApiVersionsResponse.Parse(ReadResponseFrame(hex, ApiKey.ApiVersions, 0), 0);
        Assert.Equal(SampleApiVersions().ApiKeys, parsed.ApiKeys);
        Assert.Equal(0, parsed.ThrottleTimeMs);
    }

    [Fact]
    public void ApiVersions_v1_response_adds_throttle_time()
    {
        const string hex = "00000020 | 00000007 | 0000 | 00000003 | 0000 0003 000B | 0011 0000 0001 | 0024 0000 0002 | 00000064";
        Assert.Equal(Expected(hex), EncodeResponse(SampleApiVersions(), 1));
        Assert.Equal(100, ApiVersionsResponse.Parse(ReadResponseFrame(hex, ApiKey.ApiVersions, 1), 1).ThrottleTimeMs);
    }

    [Fact]
    public void ApiVersions_v3_response_is_flexible_but_keeps_header_v0()
    {
        // size 33 | corr 7 (no header tags) | error 0 | compact array(3) | keys with tags | throttle 100 | tags
        const string hex = "00000021 | 00000007 | 0000 | 04 | 0000 0003 000B 00 | 0011 0000 0001 00 | 0024 0000 0002 00 | 00000064 | 00";
        Assert.Equal(Expected(hex), EncodeResponse(SampleApiVersions(), 3));
        var parsed = ApiVersionsResponse.Parse(ReadResponseFrame(hex, ApiKey.ApiVersions, 3), 3);
        Assert.Equal(SampleApiVersions().ApiKeys, parsed.ApiKeys);
        Assert.Equal(2, parsed.Negotiate(ApiKey.SaslAuthenticate));
        Assert.Equal(1, parsed.Negotiate(ApiKey.SaslHandshake));
    }

    [Fact]
    public void ApiVersions_v3_request_header_is_read_with_its_tagged_fields()
    {
        // ApiVersions requests are flexible from v3 (header v2), unlike their responses.
        var (header, body) = ReadRequestFrame("00000012 | 0012 | 0003 | 00000007 | 0001 63 | 00 | 03 6B61 | 02 31 | 00");
        Assert.Equal(new RequestHeader(ApiKey.ApiVersions, 3, 7, "c"), header);
        Assert.Equal(Hex.Parse("03 6B61 | 02 31 | 00"), body);
    }

    [Fact]
    public void Request_header_peek_reads_any_api_but_read_refuses_unknown_flexibility()
    {
        // key 60 (DescribeCluster), v0, corr 9, null client id
        var frame = Hex.Parse("003C | 0000 | 00000009 | FFFF | 00 | 00");
        Assert.Equal(new RequestHeader((ApiKey)60, 0, 9, null), RequestHeader.Peek(frame));
        Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new ProtocolReader(frame);
            RequestHeader.Read(ref reader);
        });
    }
}
