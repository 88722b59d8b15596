using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;
using Xunit;

namespace KafkaActors.Protocol.Tests;

/// <summary>Response bodies built field by field from Kafka's message specs, parsed back.</summary>
public class ResponseParsingTests
{
    [Fact]
    public void ApiVersions_v0()
    {
        var body = Hex.Parse("0000 | 00000002 | 0000 0003 000B | 0012 0000 0003");
        var response = ApiVersionsResponse.Parse(body, 0);
        Assert.Equal(ErrorCode.None, response.ErrorCode);
        Assert.Equal(new ApiVersionRange(3, 11), response.ApiKeys[ApiKey.Produce]);
        Assert.Equal(new ApiVersionRange(0, 3), response.ApiKeys[ApiKey.ApiVersions]);
        Assert.Equal(11, response.Negotiate(ApiKey.Produce));
        Assert.Equal(-1, response.Negotiate(ApiKey.Metadata));
    }

    [Fact]
    public void ApiVersions_v3_skips_unknown_tagged_fields()
    {
        var body = Hex.Parse("0000 | 03 | 0000 0000 0007 00 | 0003 0000 000C 00 | 00000064 | 01 00 02 ABCD");
        var response = ApiVersionsResponse.Parse(body, 3);
        Assert.Equal(new ApiVersionRange(0, 7), response.ApiKeys[ApiKey.Produce]);
        Assert.Equal(100, response.ThrottleTimeMs);
        Assert.Equal(7, response.Negotiate(ApiKey.Produce));
        Assert.Equal(12, response.Negotiate(ApiKey.Metadata));
    }

    [Fact]
    public void ApiVersions_error_code_is_readable_without_parsing_the_body()
    {
        Assert.Equal(ErrorCode.UnsupportedVersion, ApiVersionsResponse.PeekErrorCode(Hex.Parse("0023 FFFF")));
    }

    [Fact]
    public void Metadata_v1()
    {
        var body = Hex.Parse(
            "00000001 | 00000001 0009 6C6F63616C686F7374 00002384 FFFF |" + // broker 1 localhost:9092 rack null
            "00000001 |" + // controller
            "00000001 | 0000 0001 74 00 | 00000001 | 0000 00000000 00000001 00000001 00000001 00000001 00000001");
        var response = MetadataResponse.Parse(body, 1);
        var broker = Assert.Single(response.Brokers);
        Assert.Equal(new MetadataBroker(1, "localhost", 9092, null), broker);
        Assert.Equal(1, response.ControllerId);
        var topic = Assert.Single(response.Topics);
        Assert.Equal("t", topic.Name);
        var partition = Assert.Single(topic.Partitions);
        Assert.Equal(0, partition.PartitionIndex);
        Assert.Equal(1, partition.LeaderId);
        Assert.Equal(-1, partition.LeaderEpoch);
        Assert.Equal([1], partition.ReplicaNodes);
    }

    [Fact]
    public void Metadata_v12_flexible_with_topic_ids_and_epochs()
    {
        var id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        // second topic appended below to keep each line readable
        var topic2 = Hex.Parse(
            "0000 02 74 00112233445566778899AABBCCDDEEFF 00 | 02 |" +
            "0000 00000000 00000002 00000007 | 03 00000002 00000001 | 02 00000002 | 01 | 00 | 00000000 | 00");
        var full = Hex.Parse(
            "00000000 | 03 | 00000001 02 61 00000001 00 00 | 00000002 02 62 00000002 03 7231 00 | 04 636964 | 00000002 | 03 |" +
            "0003 02 78 00000000000000000000000000000000 00 01 80000000 00 |").Concat(topic2).Concat(Hex.Parse("00")).ToArray();
        var response = MetadataResponse.Parse(full, 12);
        Assert.Equal("cid", response.ClusterId);
        Assert.Equal("r1", response.Brokers[1].Rack);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, response.Topics[0].ErrorCode);
        var t = response.Topics[1];
        Assert.Equal(id, t.TopicId);
        Assert.Equal(7, t.Partitions[0].LeaderEpoch);
        Assert.Equal([2, 1], t.Partitions[0].ReplicaNodes);
        Assert.Equal([2], t.Partitions[0].IsrNodes);
        Assert.Empty(t.Partitions[0].OfflineReplicas);
    }

    [Fact]
    public void Produce_v3()
    {
        var body = Hex.Parse("00000001 | 0001 74 | 00000001 | 00000002 0000 000000000000002A FFFFFFFFFFFFFFFF | 00000000");
        var response = ProduceResponse.Parse(body, 3);
        var p = Assert.Single(response.Partitions);
        Assert.Equal(new PartitionProduceResponse("t", 2, ErrorCode.None, 42, -1, -1, null), p);
    }

    [Fact]
    public void Produce_v10_NOT_LEADER_carries_the_current_leader_and_its_endpoint()
    {
        var body = Hex.Parse("02 | 02 74 | 02 | 00000002 0006 FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF | 01 00 | 01 00 09 00000002 00000005 00 | 00 | 00000000 | 01 00 0D 02 00000002 02 68 00002384 00 00");
        var response = ProduceResponse.Parse(body, 10);
        var p = Assert.Single(response.Partitions);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, p.ErrorCode);
        Assert.Equal((2, 5), (p.CurrentLeaderId, p.CurrentLeaderEpoch));
        Assert.Equal([new ProduceNodeEndpoint(2, "h", 9092, null)], response.NodeEndpoints!);
    }

    [Fact]
    public void Produce_ParseInto_reads_what_Parse_reads_and_takes_known_topic_names_from_the_cache()
    {
        var v3 = Hex.Parse("00000001 | 0001 74 | 00000001 | 00000002 0000 000000000000002A FFFFFFFFFFFFFFFF | 00000007");
        var v10 = Hex.Parse("02 | 02 74 | 02 | 00000002 0006 FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF | 01 00 | 01 00 09 00000002 00000005 00 | 00 | 00000000 | 01 00 0D 02 00000002 02 68 00002384 00 00");
        var names = new Utf8StringCache();
        var partitions = new List<PartitionProduceResponse>();

        Assert.Equal(7, ProduceResponse.ParseInto(v3, 3, partitions, names, out var none));
        Assert.Null(none);
        Assert.Equal(ProduceResponse.Parse(v3, 3).Partitions, partitions);
        var first = partitions[0].Topic;

        partitions.Clear();
        Assert.Equal(0, ProduceResponse.ParseInto(v10, 10, partitions, names, out var endpoints));
        Assert.Equal(ProduceResponse.Parse(v10, 10).Partitions, partitions);
        Assert.Equal([new ProduceNodeEndpoint(2, "h", 9092, null)], endpoints!);
        Assert.Same(first, partitions[0].Topic); // the second response's "t" is the first one's string
    }

    [Fact]
    public void Utf8StringCache_decodes_as_UTF8_keeps_at_most_its_capacity_and_passes_long_strings_through()
    {
        var names = new Utf8StringCache(capacity: 2);
        var topic = names.Get("tópic-1"u8);
        Assert.Equal("tópic-1", topic);
        Assert.Same(topic, names.Get("tópic-1"u8));
        Assert.Equal("b", names.Get("b"u8));
        var overCapacity = names.Get("c"u8);
        Assert.Equal("c", overCapacity);
        Assert.NotSame(overCapacity, names.Get("c"u8)); // full: decoded each time, not kept
        var longName = new string('x', 600);
        Assert.Equal(longName, names.Get(System.Text.Encoding.UTF8.GetBytes(longName)));
        Assert.Equal("\uFFFD", names.Get([0xFF]));
    }

    [Fact]
    public void Produce_v8_carries_record_errors_and_a_message()
    {
        var body = Hex.Parse(
            "00000001 | 0001 74 | 00000001 | 00000000 0057 FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF 0000000000000000 |" +
            "00000001 00000000 0003 626164 | 0004 6F6F7073 | 00000000");
        var p = Assert.Single(ProduceResponse.Parse(body, 8).Partitions);
        Assert.Equal(ErrorCode.InvalidRecord, p.ErrorCode);
        Assert.Equal("oops", p.ErrorMessage);
        Assert.Equal([new ProduceRecordError(0, "bad")], p.RecordErrors!);
    }

    [Fact]
    public void Produce_v9_carries_record_errors_with_and_without_a_message()
    {
        // Flexible: compact arrays and strings, a tagged-field section after each record error, partition and topic.
        var body = Hex.Parse(
            "02 | 02 74 | 02 | 00000000 0057 FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF 0000000000000000 |" +
            "03 00000001 04 626164 00 00000004 00 00 | 05 6F6F7073 | 00 | 00 | 00000000 | 00");
        var p = Assert.Single(ProduceResponse.Parse(body, 9).Partitions);
        Assert.Equal(ErrorCode.InvalidRecord, p.ErrorCode);
        Assert.Equal("oops", p.ErrorMessage);
        Assert.Equal([new ProduceRecordError(1, "bad"), new ProduceRecordError(4, null)], p.RecordErrors!);
    }

    [Fact]
    public void Produce_v9_without_record_errors_has_none()
    {
        var body = Hex.Parse("02 | 02 74 | 02 | 00000003 0000 000000000000002A FFFFFFFFFFFFFFFF 0000000000000000 | 01 | 00 | 00 | 00 | 00000000 | 00");
        var p = Assert.Single(ProduceResponse.Parse(body, 9).Partitions);
        Assert.Equal((ErrorCode.None, 42L), (p.ErrorCode, p.BaseOffset));
        Assert.Null(p.RecordErrors);
        Assert.Null(p.ErrorMessage);
    }

    [Fact]
    public void Produce_v10_skips_the_current_leader_tag()
    {
        var body = Hex.Parse(
            "02 | 02 74 | 02 | 00000001 0006 FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF 0000000000000000 | 01 | 00 |" +
            "01 00 09 00000002 00000005 00 | 00 | 00000000 | 01 00 01 00");
        var p = Assert.Single(ProduceResponse.Parse(body, 10).Partitions);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, p.ErrorCode);
        Assert.True(p.ErrorCode.IsRetriable());
        Assert.True(p.ErrorCode.InvalidatesMetadata());
        Assert.Equal("NOT_LEADER_OR_FOLLOWER", p.ErrorCode.KafkaName());
    }

    [Fact]
    public void InitProducerId_v0_and_v2()
    {
        Assert.Equal(new InitProducerIdResponse(0, ErrorCode.None, 4000, 0),
            InitProducerIdResponse.Parse(Hex.Parse("00000000 | 0000 | 0000000000000FA0 | 0000"), 0));
        Assert.Equal(new InitProducerIdResponse(0, ErrorCode.CoordinatorNotAvailable, -1, -1),
            InitProducerIdResponse.Parse(Hex.Parse("00000000 | 000F | FFFFFFFFFFFFFFFF | FFFF | 00"), 2));
    }

    [Fact]
    public void Response_header_v1_skips_tags_but_ApiVersions_always_uses_v0()
    {
        var frame = Hex.Parse("00000007 | 00 | FFFF");
        var reader = new ProtocolReader(frame);
        Assert.Equal(7, ResponseHeader.Read(ref reader, ApiKey.Metadata, 9));
        Assert.Equal(-1, reader.ReadInt16());

        Assert.Equal(0, ClientApiVersions.ResponseHeaderVersion(ApiKey.ApiVersions, 3));
        Assert.Equal(1, ClientApiVersions.ResponseHeaderVersion(ApiKey.Produce, 9));
        Assert.Equal(0, ClientApiVersions.ResponseHeaderVersion(ApiKey.Produce, 8));
    }

    [Fact]
    public void Truncated_response_is_a_protocol_error_not_an_out_of_range()
    {
        Assert.Throws<KafkaProtocolException>(() => ProduceResponse.Parse(Hex.Parse("00000001 0001"), 3));
    }
}
