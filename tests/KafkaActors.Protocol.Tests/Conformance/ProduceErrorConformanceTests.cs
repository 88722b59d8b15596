using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;
using KafkaActors.Testing;
using Xunit;
using KafkaActors.Testing.RawLog;

namespace KafkaActors.Protocol.Tests.Conformance;

/// <summary>Produce error paths: wrong broker, injected errors, and a version the broker does not accept.</summary>
public sealed class ProduceErrorConformanceTests(ThreeBrokerCluster cluster) : IClassFixture<ThreeBrokerCluster>
{
    private const long T0 = 1_700_000_000_000;

    /// <summary>
    /// A broker that is not the leader answers NOT_LEADER_OR_FOLLOWER (6) and writes nothing. From v10 the mock
    /// adds the KIP-951 tagged fields (partition tag 0 CurrentLeader, top-level tag 0 NodeEndpoints), which our
    /// parser must skip; the raw walk below proves they were really there.
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(10)]
    public void Produce_to_a_follower_is_not_leader_or_follower(short version)
    {
        var topic = $"not-leader-v{version}";
        const int partition = 0;
        cluster.Kafka.CreateTopic(topic, 3, 3);
        var (metadata, leader) = cluster.Leader(topic, partition);
        var follower = leader % 3 + 1;

        using var client = cluster.ConnectToBroker(metadata, follower);
        var body = client.Send(Batches.Request(topic, partition, Batches.Build(Batches.Sample("nl", T0))), version);
        var p = Batches.Single(body, version, topic, partition);

        Assert.Equal(ErrorCode.NotLeaderOrFollower, p.ErrorCode);
        Assert.Equal(-1, p.BaseOffset);
        Assert.Equal(-1, p.LogAppendTimeMs);
        Assert.Equal(-1, p.LogStartOffset);
        if (version >= 10) AssertLeaderHints(body, metadata, leader, topic);
        Assert.Equal(0, KafkaReader.GetWatermarks(cluster.Kafka.BootstrapServers, topic, MockClusterFixture.Timeout)[partition].High);
    }

    /// <summary>An error pushed with PushRequestErrors(Produce, code) comes back in the partition response; nothing is written.</summary>
    [Theory]
    [InlineData(3, ErrorCode.NotEnoughReplicas)]
    [InlineData(8, ErrorCode.KafkaStorageError)]
    [InlineData(10, ErrorCode.NotEnoughReplicasAfterAppend)]
    public void Injected_error_is_returned_and_nothing_is_written(short version, ErrorCode error)
    {
        var topic = $"injected-v{version}";
        const int partition = 1;
        cluster.Kafka.CreateTopic(topic, 3, 3);
        var records = Batches.Sample("inj", T0);
        var batch = Batches.Build(records);

        using var client = cluster.ConnectToLeader(topic, partition);
        cluster.Kafka.PushRequestErrors(ApiKeys.Produce, (short)error);
        var failed = Batches.Single(client.Send(Batches.Request(topic, partition, batch), version), version, topic, partition);
        Assert.Equal(error, failed.ErrorCode);
        Assert.Equal(-1, failed.BaseOffset);
        Assert.Equal(0, KafkaReader.GetWatermarks(cluster.Kafka.BootstrapServers, topic, MockClusterFixture.Timeout)[partition].High);

        // The same bytes sent again (a retry) are written at offset 0.
        var retried = Batches.Single(client.Send(Batches.Request(topic, partition, batch), version), version, topic, partition);
        Batches.AssertSuccess(retried, 0, version);
        Batches.AssertReadBack(cluster, topic, partition, records);
    }

    /// <summary>
    /// With Produce capped at 0..7 by SetApiVersion, ApiVersions advertises 7, and a v8 request makes the mock
    /// close the connection without an answer. The client must see the close promptly, not hang. A fresh
    /// connection at v7 still works.
    /// </summary>
    [Fact]
    public void Produce_above_the_advertised_version_closes_the_connection()
    {
        using var kafka = EmbeddedKafka.Start(1);
        kafka.CreateTopic("capped", 1, 1);
        kafka.SetApiVersion(ApiKeys.Produce, 0, 7);
        var bootstrap = kafka.BootstrapServers.Split(',')[0];

        using (var client = KafkaWireClient.Connect(bootstrap, MockClusterFixture.Timeout))
        {
            var versions = ApiVersionsResponse.Parse(client.Send(new ApiVersionsRequest("kafkaactors-conformance", "1.0.0"), 2), 2);
            Assert.Equal(new ApiVersionRange(0, 7), versions.ApiKeys[ApiKey.Produce]);
            Assert.Equal(7, versions.Negotiate(ApiKey.Produce));
        }

        var batch = Batches.Build(Batches.Sample("capped", T0));
        using (var client = KafkaWireClient.Connect(bootstrap, MockClusterFixture.Timeout))
        {
            client.SendOnly(Batches.Request("capped", 0, batch), 8);
            var started = DateTime.UtcNow;
            Assert.True(client.WaitForClose(TimeSpan.FromSeconds(5)), "the mock kept the connection open after Produce v8");
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2), "the close took too long");
            Assert.Throws<ConnectionClosedException>(() => client.ReceiveFrame());
        }

        using (var client = KafkaWireClient.Connect(bootstrap, MockClusterFixture.Timeout))
        {
            var ok = Batches.Single(client.Send(Batches.Request("capped", 0, batch), 7), 7, "capped", 0);
            Batches.AssertSuccess(ok, 0, 7);
        }
    }

    /// <summary>Walks a v10 response with one failed partition by hand, reading the tagged fields our parser skips.</summary>
    private static void AssertLeaderHints(byte[] body, MetadataResponse metadata, int leader, string topic)
    {
        var r = new ProtocolReader(body);
        Assert.Equal(1, r.ReadArrayLength(true));
        Assert.Equal(topic, r.ReadCompactString());
        Assert.Equal(1, r.ReadArrayLength(true));
        r.ReadInt32(); // index
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, r.ReadInt16());
        r.Skip(8 + 8 + 8); // base offset, append time, log start offset
        Assert.Equal(0, r.ReadArrayLength(true)); // RecordErrors
        Assert.Null(r.ReadCompactString()); // ErrorMessage

        // Partition tags: {0: CurrentLeader {LeaderId, LeaderEpoch, tags}}
        Assert.Equal(1u, r.ReadUnsignedVarint());
        Assert.Equal(0u, r.ReadUnsignedVarint());
        Assert.Equal(9u, r.ReadUnsignedVarint());
        Assert.Equal(leader, r.ReadInt32());
        var epoch = r.ReadInt32();
        Assert.Equal(metadata.Topics.Single().Partitions.Single(p => p.PartitionIndex == 0).LeaderEpoch, epoch);
        Assert.Equal(0u, r.ReadUnsignedVarint());
        Assert.Equal(0u, r.ReadUnsignedVarint()); // topic tags

        Assert.Equal(0, r.ReadInt32()); // throttle

        // Top-level tags: {0: NodeEndpoints [{NodeId, Host, Port, Rack, tags}]}
        Assert.Equal(1u, r.ReadUnsignedVarint());
        Assert.Equal(0u, r.ReadUnsignedVarint());
        var size = (int)r.ReadUnsignedVarint();
        var start = r.Position;
        Assert.Equal(1, r.ReadArrayLength(true));
        Assert.Equal(leader, r.ReadInt32());
        var broker = metadata.Brokers.Single(b => b.NodeId == leader);
        Assert.Equal(broker.Host, r.ReadCompactString());
        Assert.Equal(broker.Port, r.ReadInt32());
        Assert.Null(r.ReadCompactString());
        Assert.Equal(0u, r.ReadUnsignedVarint());
        Assert.Equal(size, r.Position - start);
        Assert.True(r.End);
    }
}
