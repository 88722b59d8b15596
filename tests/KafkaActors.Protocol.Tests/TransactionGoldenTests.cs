using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;
using Xunit;

namespace KafkaActors.Protocol.Tests;

/// <summary>
/// The transaction APIs (FindCoordinator 10, InitProducerId 22, AddPartitionsToTxn 24, AddOffsetsToTxn 25,
/// EndTxn 26, TxnOffsetCommit 28) byte for byte at their lowest and highest client versions, derived field by field
/// from Kafka's message JSON specs. Requests carry correlation id 7 and client id "c"; each '|' separates two fields.
/// Header v1 is key | version | correlation id | client id; header v2 adds an empty tag section (00).
/// </summary>
public class TransactionGoldenTests
{
    private static string Encode(IKafkaRequest request, short version)
    {
        using var buffer = new PooledBufferWriter();
        RequestEncoder.Encode(buffer, request, version, 7, "c");
        return Hex.Format(buffer.WrittenSpan);
    }

    private static string Expected(string hex) => Hex.Format(Hex.Parse(hex));

    // ---- FindCoordinator (key 10 = 000A) ----

    [Fact]
    public void FindCoordinator_v0_sends_only_the_group_key()
    {
        Assert.Equal(Expected("0000000E | 000A | 0000 | 00000007 | 0001 63 | 0001 67"),
            Encode(new FindCoordinatorRequest("g", CoordinatorType.Group), 0));
    }

    [Fact]
    public void FindCoordinator_v0_cannot_name_a_transaction_coordinator()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Encode(new FindCoordinatorRequest("tx", CoordinatorType.Transaction), 0));
    }

    [Fact]
    public void FindCoordinator_v1_adds_the_key_type()
    {
        Assert.Equal(Expected("00000010 | 000A | 0001 | 00000007 | 0001 63 | 0002 7478 | 01"),
            Encode(new FindCoordinatorRequest("tx", CoordinatorType.Transaction), 1));
    }

    [Fact]
    public void FindCoordinator_v3_is_flexible()
    {
        Assert.Equal(Expected("00000011 | 000A | 0003 | 00000007 | 0001 63 | 00 | 03 7478 | 01 | 00"),
            Encode(new FindCoordinatorRequest("tx", CoordinatorType.Transaction), 3));
    }

    [Fact]
    public void FindCoordinator_v4_sends_the_key_type_then_a_batch_of_keys()
    {
        Assert.Equal(Expected("00000012 | 000A | 0004 | 00000007 | 0001 63 | 00 | 01 | 02 | 03 7478 | 00"),
            Encode(new FindCoordinatorRequest("tx", CoordinatorType.Transaction), 4));
    }

    [Fact]
    public void FindCoordinator_response_v0_has_no_throttle_or_message()
    {
        // error 0 | node 1 | host "h" | port 9092
        var response = FindCoordinatorResponse.Parse(Hex.Parse("0000 | 00000001 | 0001 68 | 00002384"), 0);
        Assert.Equal(0, response.ThrottleTimeMs);
        Assert.Equal(new Coordinator("", 1, "h", 9092, ErrorCode.None, null), Assert.Single(response.Coordinators));
    }

    [Fact]
    public void FindCoordinator_response_v3_is_compact_with_a_message()
    {
        // throttle 5 | error 15 | message "x" | node -1 | host "" | port -1 | tags
        var response = FindCoordinatorResponse.Parse(Hex.Parse("00000005 | 000F | 02 78 | FFFFFFFF | 01 | FFFFFFFF | 00"), 3);
        Assert.Equal(5, response.ThrottleTimeMs);
        Assert.Equal(new Coordinator("", -1, "", -1, ErrorCode.CoordinatorNotAvailable, "x"), Assert.Single(response.Coordinators));
    }

    [Fact]
    public void FindCoordinator_response_v4_answers_per_key()
    {
        // throttle 0 | 2 coordinators | key "tx" node 2 host "h" port 9092 error 0 message null tags
        //                             | key "g" node -1 host "" port -1 error 15 message "x" tags | tags
        var response = FindCoordinatorResponse.Parse(Hex.Parse(
            "00000000 | 03 | 03 7478 | 00000002 | 02 68 | 00002384 | 0000 | 00 | 00" +
            "| 02 67 | FFFFFFFF | 01 | FFFFFFFF | 000F | 02 78 | 00 | 00"), 4);
        Assert.Equal(
            [new Coordinator("tx", 2, "h", 9092, ErrorCode.None, null), new Coordinator("g", -1, "", -1, ErrorCode.CoordinatorNotAvailable, "x")],
            response.Coordinators);
    }

    // ---- InitProducerId (key 22 = 0016) with a transactional id ----

    [Fact]
    public void InitProducerId_carries_the_transactional_id_and_timeout()
    {
        Assert.Equal(Expected("00000013 | 0016 | 0000 | 00000007 | 0001 63 | 0002 7478 | 0000EA60"),
            Encode(new InitProducerIdRequest("tx", 60000), 0));
        // v5: compact "tx" | timeout | producer id -1 | epoch -1 | tags
        Assert.Equal(Expected("0000001E | 0016 | 0005 | 00000007 | 0001 63 | 00 | 03 7478 | 0000EA60 | FFFFFFFFFFFFFFFF | FFFF | 00"),
            Encode(new InitProducerIdRequest("tx", 60000), 5));
    }

    // ---- AddPartitionsToTxn (key 24 = 0018) ----

    private static AddPartitionsToTxnRequest SampleAddPartitions() => new("tx", 5, 1, [new AddPartitionsToTxnTopic("t", [0, 1])]);

    [Fact]
    public void AddPartitionsToTxn_v0_nests_partitions_under_topics()
    {
        // "tx" | producer id 5 | epoch 1 | 1 topic | "t" | 2 partitions | 0 | 1
        Assert.Equal(Expected("0000002C | 0018 | 0000 | 00000007 | 0001 63 | 0002 7478 | 0000000000000005 | 0001 | 00000001 | 0001 74 | 00000002 | 00000000 | 00000001"),
            Encode(SampleAddPartitions(), 0));
    }

    [Fact]
    public void AddPartitionsToTxn_v3_is_flexible()
    {
        Assert.Equal(Expected("00000027 | 0018 | 0003 | 00000007 | 0001 63 | 00 | 03 7478 | 0000000000000005 | 0001 | 02 | 02 74 | 03 | 00000000 | 00000001 | 00 | 00"),
            Encode(SampleAddPartitions(), 3));
    }

    [Fact]
    public void AddPartitionsToTxn_v4_is_not_a_client_version()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Encode(SampleAddPartitions(), 4));
    }

    [Fact]
    public void AddPartitionsToTxn_responses_v0_and_v3()
    {
        AddPartitionsToTxnTopicResult[] expected =
            [new("t", [new(0, ErrorCode.None), new(1, ErrorCode.ConcurrentTransactions)])];
        // throttle 0 | 1 topic | "t" | 2 partitions | 0 ok | 1 CONCURRENT_TRANSACTIONS (51)
        var v0 = AddPartitionsToTxnResponse.Parse(Hex.Parse("00000000 | 00000001 | 0001 74 | 00000002 | 00000000 0000 | 00000001 0033"), 0);
        Assert.Equal(expected[0].Name, Assert.Single(v0.Topics).Name);
        Assert.Equal(expected[0].Partitions, v0.Topics[0].Partitions);
        var v3 = AddPartitionsToTxnResponse.Parse(Hex.Parse("00000064 | 02 | 02 74 | 03 | 00000000 0000 00 | 00000001 0033 00 | 00 | 00"), 3);
        Assert.Equal(100, v3.ThrottleTimeMs);
        Assert.Equal(expected[0].Partitions, Assert.Single(v3.Topics).Partitions);
    }

    // ---- AddOffsetsToTxn (key 25 = 0019) ----

    [Fact]
    public void AddOffsetsToTxn_v0_and_v3()
    {
        var request = new AddOffsetsToTxnRequest("tx", 5, 1, "g");
        Assert.Equal(Expected("0000001C | 0019 | 0000 | 00000007 | 0001 63 | 0002 7478 | 0000000000000005 | 0001 | 0001 67"),
            Encode(request, 0));
        Assert.Equal(Expected("0000001C | 0019 | 0003 | 00000007 | 0001 63 | 00 | 03 7478 | 0000000000000005 | 0001 | 02 67 | 00"),
            Encode(request, 3));
    }

    [Fact]
    public void AddOffsetsToTxn_responses_v0_and_v3()
    {
        Assert.Equal(new AddOffsetsToTxnResponse(0, ErrorCode.None), AddOffsetsToTxnResponse.Parse(Hex.Parse("00000000 | 0000"), 0));
        Assert.Equal(new AddOffsetsToTxnResponse(100, ErrorCode.ConcurrentTransactions),
            AddOffsetsToTxnResponse.Parse(Hex.Parse("00000064 | 0033 | 00"), 3));
    }

    // ---- EndTxn (key 26 = 001A) ----

    [Fact]
    public void EndTxn_v0_commits_and_v3_aborts()
    {
        Assert.Equal(Expected("0000001A | 001A | 0000 | 00000007 | 0001 63 | 0002 7478 | 0000000000000005 | 0001 | 01"),
            Encode(new EndTxnRequest("tx", 5, 1, Committed: true), 0));
        Assert.Equal(Expected("0000001B | 001A | 0003 | 00000007 | 0001 63 | 00 | 03 7478 | 0000000000000005 | 0001 | 00 | 00"),
            Encode(new EndTxnRequest("tx", 5, 1, Committed: false), 3));
    }

    [Fact]
    public void EndTxn_responses_v0_and_v3()
    {
        Assert.Equal(new EndTxnResponse(0, ErrorCode.None), EndTxnResponse.Parse(Hex.Parse("00000000 | 0000"), 0));
        Assert.Equal(new EndTxnResponse(0, ErrorCode.InvalidProducerIdMapping), EndTxnResponse.Parse(Hex.Parse("00000000 | 0031 | 00"), 3));
    }

    [Fact]
    public void EndTxn_v3_response_frame_has_header_v1()
    {
        // size | correlation 7 | header tags | throttle 0 | error 49 | tags
        var frame = Hex.Parse("0000000C | 00000007 | 00 | 00000000 | 0031 | 00");
        var reader = new ProtocolReader(frame);
        Assert.Equal(frame.Length - 4, reader.ReadInt32());
        Assert.Equal(7, ResponseHeader.Read(ref reader, ApiKey.EndTxn, 3));
        var body = reader.ReadRaw(reader.Remaining);
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, EndTxnResponse.Parse(body, 3).ErrorCode);
    }

    // ---- TxnOffsetCommit (key 28 = 001C) ----

    private static TxnOffsetCommitRequest SampleTxnOffsetCommit(string? metadata) =>
        new("tx", "g", 5, 1, [new TxnOffsetCommitTopic("t", [new TxnOffsetCommitPartition(0, 42, 7, metadata)])],
            GenerationId: 3, MemberId: "m1");

    [Fact]
    public void TxnOffsetCommit_v0_has_no_leader_epoch_or_member()
    {
        // "tx" | "g" | producer id 5 | epoch 1 | 1 topic | "t" | 1 partition | 0 | offset 42 | metadata "m"
        Assert.Equal(Expected("00000036 | 001C | 0000 | 00000007 | 0001 63 | 0002 7478 | 0001 67 | 0000000000000005 | 0001 | 00000001 | 0001 74 | 00000001 | 00000000 | 000000000000002A | 0001 6D"),
            Encode(SampleTxnOffsetCommit("m"), 0));
    }

    [Fact]
    public void TxnOffsetCommit_v2_adds_the_leader_epoch()
    {
        Assert.Equal(Expected("0000003A | 001C | 0002 | 00000007 | 0001 63 | 0002 7478 | 0001 67 | 0000000000000005 | 0001 | 00000001 | 0001 74 | 00000001 | 00000000 | 000000000000002A | 00000007 | 0001 6D"),
            Encode(SampleTxnOffsetCommit("m"), 2));
    }

    [Fact]
    public void TxnOffsetCommit_v3_adds_the_group_member_and_is_flexible()
    {
        // ... | generation 3 | member "m1" | instance null | 1 topic | "t" | 1 partition | 0 | 42 | epoch 7 | metadata null | tags x3
        Assert.Equal(Expected("0000003B | 001C | 0003 | 00000007 | 0001 63 | 00 | 03 7478 | 02 67 | 0000000000000005 | 0001 | 00000003 | 03 6D31 | 00 | 02 | 02 74 | 02 | 00000000 | 000000000000002A | 00000007 | 00 | 00 | 00 | 00"),
            Encode(SampleTxnOffsetCommit(null), 3));
    }

    [Fact]
    public void TxnOffsetCommit_responses_v0_and_v3()
    {
        var v0 = TxnOffsetCommitResponse.Parse(Hex.Parse("00000000 | 00000001 | 0001 74 | 00000001 | 00000000 0000"), 0);
        Assert.Equal("t", Assert.Single(v0.Topics).Name);
        Assert.Equal(new TxnOffsetCommitPartitionResult(0, ErrorCode.None), Assert.Single(v0.Topics[0].Partitions));
        var v3 = TxnOffsetCommitResponse.Parse(Hex.Parse("00000000 | 02 | 02 74 | 02 | 00000000 000F 00 | 00 | 00"), 3);
        Assert.Equal(new TxnOffsetCommitPartitionResult(0, ErrorCode.CoordinatorNotAvailable), Assert.Single(Assert.Single(v3.Topics).Partitions));
    }

    // ---- Every supported version through RequestEncoder ----

    public static TheoryData<ApiKey, short> SupportedVersions()
    {
        var data = new TheoryData<ApiKey, short>();
        foreach (var key in new[] { ApiKey.FindCoordinator, ApiKey.AddPartitionsToTxn, ApiKey.AddOffsetsToTxn, ApiKey.TxnOffsetCommit, ApiKey.EndTxn })
        {
            var range = ClientApiVersions.For(key);
            for (var v = range.Min; v <= range.Max; v++) data.Add(key, v);
        }
        return data;
    }

    private static IKafkaRequest Sample(ApiKey key) => key switch
    {
        ApiKey.FindCoordinator => new FindCoordinatorRequest("g", CoordinatorType.Group),
        ApiKey.AddPartitionsToTxn => SampleAddPartitions(),
        ApiKey.AddOffsetsToTxn => new AddOffsetsToTxnRequest("tx", 5, 1, "g"),
        ApiKey.TxnOffsetCommit => SampleTxnOffsetCommit("m"),
        ApiKey.EndTxn => new EndTxnRequest("tx", 5, 1, true),
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };

    [Theory]
    [MemberData(nameof(SupportedVersions))]
    public void Every_supported_version_round_trips_its_header_through_RequestEncoder(ApiKey key, short version)
    {
        using var buffer = new PooledBufferWriter();
        RequestEncoder.Encode(buffer, Sample(key), version, 7, "c");
        var frame = buffer.WrittenSpan.ToArray();
        var reader = new ProtocolReader(frame);
        Assert.Equal(frame.Length - 4, reader.ReadInt32());
        var header = RequestHeader.Read(ref reader);
        Assert.Equal(new RequestHeader(key, version, 7, "c"), header);
        // Every sample's body starts with a key string: classic (int16 length) before v3, compact from v3.
        var flexible = version >= 3;
        Assert.Equal(flexible, ClientApiVersions.IsFlexible(key, version));
        if (key == ApiKey.FindCoordinator && version >= 4)
        {
            Assert.Equal(0, reader.ReadInt8()); // key type group
            Assert.Equal(1, reader.ReadArrayLength(flexible));
        }
        Assert.Equal(key == ApiKey.FindCoordinator ? "g" : "tx", reader.ReadString(flexible));
    }
}
