using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using Xunit;

namespace KafkaActors.Protocol.Tests.Conformance;

/// <summary>ApiVersions (key 18) and InitProducerId (key 22) against the librdkafka mock broker.</summary>
public sealed class ApiVersionsConformanceTests(SingleBrokerCluster cluster) : IClassFixture<SingleBrokerCluster>
{
    private static readonly ApiVersionsRequest Request = new("kafkaactors-conformance", "1.0.0");

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void ApiVersions_parses_and_lists_the_producer_apis(short version)
    {
        using var client = cluster.ConnectAny();
        var body = client.Send(Request, version);
        var response = ApiVersionsResponse.Parse(body, version);

        Assert.Equal(ErrorCode.None, response.ErrorCode);
        Assert.Equal(0, response.ThrottleTimeMs);
        Assert.True(response.ApiKeys.Count >= 10, $"only {response.ApiKeys.Count} APIs listed");
        foreach (var (key, range) in response.ApiKeys)
        {
            Assert.True(range.Min >= 0 && range.Min <= range.Max && range.Max < 100, $"{key}: {range}");
        }

        // What the mock advertises (librdkafka 2.16.0): our client's range overlaps each of these.
        Assert.Equal(new ApiVersionRange(0, 10), response.ApiKeys[ApiKey.Produce]);
        Assert.Equal(new ApiVersionRange(0, 4), response.ApiKeys[ApiKey.InitProducerId]);
        Assert.Equal(new ApiVersionRange(0, 2), response.ApiKeys[ApiKey.ApiVersions]);
        Assert.Equal(new ApiVersionRange(0, 13), response.ApiKeys[ApiKey.Metadata]); // we stop at 12

        Assert.Equal(10, response.Negotiate(ApiKey.Produce));
        Assert.Equal(12, response.Negotiate(ApiKey.Metadata));
        Assert.Equal(4, response.Negotiate(ApiKey.InitProducerId));
        Assert.Equal(2, response.Negotiate(ApiKey.ApiVersions));
    }

    /// <summary>
    /// v3 is above the mock's ApiVersions max (2). Real brokers answer UNSUPPORTED_VERSION in the v0 layout
    /// (int16 error, int32 count, entries). The mock writes a hybrid that parses at no version:
    /// <code>
    /// 0023              ErrorCode 35 (UNSUPPORTED_VERSION)
    /// 01                ApiKeys count as one raw byte 1 (a compact array would say N+1 = 2, a v0 array an int32)
    /// 0012 0000 0002    the ApiVersions entry only: key 18, min 0, max 2 (no per-entry tagged fields)
    /// 00000000          ThrottleTimeMs (no trailing tagged-field section)
    /// </code>
    /// Only the leading error code is reliable, which is exactly what <see cref="ApiVersionsResponse.PeekErrorCode"/> reads.
    /// </summary>
    [Fact]
    public void ApiVersions_v3_is_unsupported_and_only_the_error_code_can_be_read()
    {
        using var client = cluster.ConnectAny();
        var body = client.Send(Request, 3); // response header v0 even for v3, as the spec says

        Assert.Equal(ErrorCode.UnsupportedVersion, ApiVersionsResponse.PeekErrorCode(body));
        Assert.Equal("0023" + "01" + "001200000002" + "00000000", Hex.Format(body));

        // Read as v0 (what a real broker sends), the count 0x01001200 overruns the body.
        Assert.Throws<KafkaProtocolException>(() => ApiVersionsResponse.Parse(body, 0));
        // Read as v3, the compact count 1 means "0 entries" and the entry bytes are taken for the throttle time.
        var asV3 = ApiVersionsResponse.Parse(body, 3);
        Assert.Empty(asV3.ApiKeys);
        Assert.Equal(0x00120000, asV3.ThrottleTimeMs);

        // The connection stays usable: the fallback to v2 works on it.
        var retry = ApiVersionsResponse.Parse(client.Send(Request, 2), 2);
        Assert.Equal(ErrorCode.None, retry.ErrorCode);
        Assert.Equal(new ApiVersionRange(0, 10), retry.ApiKeys[ApiKey.Produce]);
    }

    /// <summary>Mock quirk: Metadata's ControllerId is 0, which is no broker's id, until <c>SetControllerId</c> is called.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    public void Metadata_controller_id_defaults_to_0(short version)
    {
        using var client = cluster.ConnectAny();
        var response = MetadataResponse.Parse(client.Send(new MetadataRequest([], false), version), version);
        Assert.Equal(1, Assert.Single(response.Brokers).NodeId);
        Assert.Equal(0, response.ControllerId);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void InitProducerId_hands_out_a_producer_id(short version)
    {
        using var client = cluster.ConnectAny();
        var response = InitProducerIdResponse.Parse(client.Send(new InitProducerIdRequest(null, 60_000), version), version);

        Assert.Equal(ErrorCode.None, response.ErrorCode);
        Assert.Equal(0, response.ThrottleTimeMs);
        Assert.True(response.ProducerId >= 0, $"producer id {response.ProducerId}");
        Assert.True(response.ProducerEpoch >= 0, $"epoch {response.ProducerEpoch}");

        // Each request without a current id gets a fresh one.
        var again = InitProducerIdResponse.Parse(client.Send(new InitProducerIdRequest(null, 60_000), version), version);
        Assert.Equal(ErrorCode.None, again.ErrorCode);
        Assert.NotEqual(response.ProducerId, again.ProducerId);
    }

    /// <summary>
    /// Mock quirk (v3+, KIP-360 epoch bump): sending the current id/epoch with a null TransactionalId gets
    /// INVALID_PRODUCER_ID_MAPPING (49); a real broker would bump the epoch. -1/-1 asks for a new id instead.
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void InitProducerId_epoch_bump_without_transactional_id_is_refused_by_the_mock(short version)
    {
        using var client = cluster.ConnectAny();
        var first = InitProducerIdResponse.Parse(client.Send(new InitProducerIdRequest(null, 60_000), version), version);
        Assert.Equal(ErrorCode.None, first.ErrorCode);

        var bump = InitProducerIdResponse.Parse(
            client.Send(new InitProducerIdRequest(null, 60_000, first.ProducerId, first.ProducerEpoch), version), version);
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, bump.ErrorCode);
    }
}
