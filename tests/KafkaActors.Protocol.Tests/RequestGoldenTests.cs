using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;
using Xunit;

namespace KafkaActors.Protocol.Tests;

/// <summary>
/// Request frames byte for byte, derived field by field from Kafka's message specs
/// (clients/src/main/resources/common/message/*.json). Each '|' separates two fields.
/// </summary>
public class RequestGoldenTests
{
    private static string Encode(IKafkaRequest request, short version, int correlationId = 7, string? clientId = "c")
    {
        using var buffer = new PooledBufferWriter();
        RequestEncoder.Encode(buffer, request, version, correlationId, clientId);
        return Hex.Format(buffer.WrittenSpan);
    }

    [Fact]
    public void ApiVersions_v0_is_a_bare_header_v1()
    {
        // size 11 | key 18 | v0 | corr 7 | client "c"
        Assert.Equal(Hex.Format(Hex.Parse("0000000B | 0012 | 0000 | 00000007 | 0001 63")),
            Encode(new ApiVersionsRequest("ka", "1"), 0));
    }

    [Fact]
    public void ApiVersions_v3_is_flexible_with_client_software()
    {
        // header v2 adds empty tags; body: compact "ka", compact "1", tags
        Assert.Equal(Hex.Format(Hex.Parse("00000012 | 0012 | 0003 | 00000007 | 0001 63 | 00 | 03 6B61 | 02 31 | 00")),
            Encode(new ApiVersionsRequest("ka", "1"), 3));
    }

    [Fact]
    public void Metadata_v1_lists_topics_with_classic_strings()
    {
        Assert.Equal(Hex.Format(Hex.Parse("00000012 | 0003 | 0001 | 00000007 | 0001 63 | 00000001 | 0001 74")),
            Encode(new MetadataRequest(["t"], true), 1));
    }

    [Fact]
    public void Metadata_v1_null_topics_means_all_topics()
    {
        Assert.Equal(Hex.Format(Hex.Parse("0000000F | 0003 | 0001 | 00000007 | 0001 63 | FFFFFFFF")),
            Encode(new MetadataRequest(null, true), 1));
    }

    [Fact]
    public void Metadata_v4_adds_allow_auto_topic_creation()
    {
        Assert.Equal(Hex.Format(Hex.Parse("00000013 | 0003 | 0004 | 00000007 | 0001 63 | 00000001 | 0001 74 | 00")),
            Encode(new MetadataRequest(["t"], false), 4));
    }

    [Fact]
    public void Metadata_v9_is_flexible_with_authorized_operations_flags()
    {
        // topics: compact array(1) [compact "t", tags] | allow auto | cluster ops (v8-10) | topic ops | tags
        Assert.Equal(Hex.Format(Hex.Parse("00000014 | 0003 | 0009 | 00000007 | 0001 63 | 00 | 02 | 02 74 | 00 | 01 | 00 | 00 | 00")),
            Encode(new MetadataRequest(["t"], true), 9));
    }

    [Fact]
    public void Metadata_v12_sends_a_zero_topic_id_and_no_cluster_operations_flag()
    {
        Assert.Equal(Hex.Format(Hex.Parse(
                "00000023 | 0003 | 000C | 00000007 | 0001 63 | 00 | 02 | 00000000000000000000000000000000 | 02 74 | 00 | 01 | 00 | 00")),
            Encode(new MetadataRequest(["t"], true), 12));
    }

    [Fact]
    public void InitProducerId_v0_and_v4()
    {
        Assert.Equal(Hex.Format(Hex.Parse("00000011 | 0016 | 0000 | 00000007 | 0001 63 | FFFF | 0000EA60")),
            Encode(new InitProducerIdRequest(null, 60000), 0));
        // v4: header v2; compact null string, timeout, producer id -1, epoch -1, tags
        Assert.Equal(Hex.Format(Hex.Parse("0000001C | 0016 | 0004 | 00000007 | 0001 63 | 00 | 00 | 0000EA60 | FFFFFFFFFFFFFFFF | FFFF | 00")),
            Encode(new InitProducerIdRequest(null, 60000), 4));
    }

    private static ProduceRequest SampleProduce() => new(null, -1, 30000,
    [
        new ProducePartitionData("t", 0, new ArraySegment<byte>([0xAA, 0xBB, 0xCC])),
        new ProducePartitionData("t", 1, new ArraySegment<byte>([0xDD])),
        new ProducePartitionData("u", 2, new ArraySegment<byte>([0xEE, 0xFF])),
    ]);

    [Fact]
    public void Produce_v3_nests_partitions_under_topics()
    {
        Assert.Equal(Hex.Format(Hex.Parse(
                "00000043 | 0000 | 0003 | 00000007 | 0001 63 | FFFF | FFFF | 00007530 | 00000002 |" +
                "0001 74 | 00000002 | 00000000 | 00000003 AABBCC | 00000001 | 00000001 DD |" +
                "0001 75 | 00000001 | 00000002 | 00000002 EEFF")),
            Encode(SampleProduce(), 3));
    }

    [Fact]
    public void Produce_v9_is_flexible()
    {
        Assert.Equal(Hex.Format(Hex.Parse(
                "00000035 | 0000 | 0009 | 00000007 | 0001 63 | 00 | 00 | FFFF | 00007530 | 03 |" +
                "02 74 | 03 | 00000000 | 04 AABBCC | 00 | 00000001 | 02 DD | 00 | 00 |" +
                "02 75 | 02 | 00000002 | 03 EEFF | 00 | 00 | 00")),
            Encode(SampleProduce(), 9));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    [InlineData(11)]
    public void Produce_gather_segments_concatenate_to_the_contiguous_frame(short version)
    {
        var request = SampleProduce();
        using var envelope = new PooledBufferWriter(8);
        var segments = new List<ArraySegment<byte>>();
        var length = request.EncodeGather(envelope, segments, version, 7, "c");
        var gathered = segments.SelectMany(s => s).ToArray();
        Assert.Equal(length, gathered.Length);
        Assert.Equal(Encode(request, version), Hex.Format(gathered));
        // The batches themselves are not copied: their arrays travel as they are.
        Assert.Contains(segments, s => ReferenceEquals(s.Array, request.Partitions[0].Records.Array));
    }

    [Fact]
    public void Produce_rejects_partitions_of_a_topic_that_are_not_adjacent()
    {
        var request = new ProduceRequest(null, 1, 1000,
        [
            new ProducePartitionData("t", 0, new ArraySegment<byte>([1])),
            new ProducePartitionData("u", 0, new ArraySegment<byte>([1])),
            new ProducePartitionData("t", 1, new ArraySegment<byte>([1])),
        ]);
        Assert.Throws<ArgumentException>(() => Encode(request, 3));
    }
}
