using KafkaActors.Metadata;
using KafkaActors.Protocol.Errors;
using Xunit;

namespace KafkaActors.Tests.Metadata;

/// <summary>KIP-951 leader hints applied to a cluster view (Java's Metadata.updatePartitionLeadership rules).</summary>
public sealed class ClusterSnapshotLeaderTests
{
    private static readonly TopicPartition P0 = new("t", 0);

    private static ClusterSnapshot Snapshot() => new(
        new Dictionary<int, BrokerNode> { [1] = new(1, "h1", 9091, null), [2] = new(2, "h2", 9092, null) },
        new Dictionary<string, TopicInfo>
        {
            ["t"] = new("t", ErrorCode.None, [new PartitionInfo("t", 0, 1, 5, [1, 2], [1, 2])]),
        },
        "cluster", 1, 7);

    [Fact]
    public void A_newer_epoch_on_a_known_broker_moves_the_leader()
    {
        var moved = Snapshot().WithLeader(P0, 2, 6, null);
        Assert.NotNull(moved);
        Assert.Equal((2, 6), (moved.Topics["t"].Partitions[0].Leader, moved.Topics["t"].Partitions[0].LeaderEpoch));
        Assert.Equal([1, 2], moved.Topics["t"].Partitions[0].Replicas);
        Assert.Equal(8, moved.Version);
        Assert.True(moved.HasLeader(P0, 2, 6));
    }

    [Fact]
    public void An_epoch_not_newer_than_the_known_one_is_no_news()
    {
        var snapshot = Snapshot();
        Assert.Null(snapshot.WithLeader(P0, 2, 5, null));
        Assert.Null(snapshot.WithLeader(P0, 2, 4, new BrokerNode(2, "h2", 9092, null)));
        Assert.True(snapshot.HasLeader(P0, 1, 5));
        Assert.False(snapshot.HasLeader(P0, 2, 5));
    }

    [Fact]
    public void A_broker_not_in_the_view_is_taken_from_the_answers_NodeEndpoints_and_needs_them()
    {
        var snapshot = Snapshot();
        Assert.Null(snapshot.WithLeader(P0, 3, 6, null));
        Assert.Null(snapshot.WithLeader(P0, 3, 6, new BrokerNode(4, "h4", 9094, null))); // an endpoint for another node
        var moved = snapshot.WithLeader(P0, 3, 6, new BrokerNode(3, "h3", 9093, "r1"));
        Assert.NotNull(moved);
        Assert.Equal(new BrokerNode(3, "h3", 9093, "r1"), moved.Brokers[3]);
        Assert.Equal(3, moved.Topics["t"].Partitions[0].Leader);
    }

    [Fact]
    public void The_answers_address_for_the_leader_wins_over_the_known_one()
    {
        var moved = Snapshot().WithLeader(P0, 2, 6, new BrokerNode(2, "h2-new", 19092, null));
        Assert.NotNull(moved);
        Assert.Equal(("h2-new", 19092), (moved.Brokers[2].Host, moved.Brokers[2].Port));
        Assert.Equal("h1", moved.Brokers[1].Host);
    }

    [Fact]
    public void An_unknown_topic_or_partition_is_no_news()
    {
        var snapshot = Snapshot();
        Assert.Null(snapshot.WithLeader(new TopicPartition("other", 0), 2, 6, null));
        Assert.Null(snapshot.WithLeader(new TopicPartition("t", 1), 2, 6, null));
        Assert.Null(snapshot.WithLeader(P0, -1, 6, null));
    }
}
