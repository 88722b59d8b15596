using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;
using Xunit;

namespace KafkaActors.Protocol.Tests.Conformance;

/// <summary>Metadata (key 3) at every version 1..12 against a 3-broker mock cluster.</summary>
public sealed class MetadataConformanceTests : IClassFixture<MetadataConformanceTests.Cluster>
{
    public const string Topic = "metadata-three";
    public const string OtherTopic = "metadata-other";
    public const int ControllerId = 2;

    public sealed class Cluster : MockClusterFixture
    {
        public Cluster() : base(3)
        {
            Kafka.CreateTopic(Topic, 3, 3);
            Kafka.CreateTopic(OtherTopic, 2, 1);
            // The mock reports controller 0 (no such broker) until told otherwise; see ApiVersionsConformanceTests.
            Kafka.SetControllerId(ControllerId);
        }
    }

    private readonly Cluster _cluster;

    public MetadataConformanceTests(Cluster cluster) => _cluster = cluster;

    public static TheoryData<short> Versions()
    {
        var data = new TheoryData<short>();
        for (short v = 1; v <= 12; v++) data.Add(v);
        return data;
    }

    private MetadataResponse Send(MetadataRequest request, short version)
    {
        using var client = _cluster.ConnectAny();
        return MetadataResponse.Parse(client.Send(request, version), version);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Lists_brokers_and_a_three_partition_topic(short version)
    {
        var response = Send(new MetadataRequest([Topic], false), version);

        Assert.Equal(0, response.ThrottleTimeMs);
        AssertBrokers(response);
        if (version >= 2) Assert.False(string.IsNullOrEmpty(response.ClusterId));
        else Assert.Null(response.ClusterId);
        Assert.Equal(ControllerId, response.ControllerId);

        var topic = Assert.Single(response.Topics);
        AssertTopic(topic, Topic, 3, 3, version);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Unknown_topic_without_auto_creation_is_unknown_topic_or_partition(short version)
    {
        var name = $"metadata-unknown-v{version}";
        var response = Send(new MetadataRequest([name], AllowAutoTopicCreation: false), version);

        AssertBrokers(response);
        var topic = Assert.Single(response.Topics);
        Assert.Equal(name, topic.Name);
        if (version >= 4)
        {
            Assert.Equal(ErrorCode.UnknownTopicOrPartition, topic.ErrorCode);
            Assert.Empty(topic.Partitions);
        }
        else
        {
            // AllowAutoTopicCreation is on the wire only from v4. Before, the broker's own setting decides,
            // and the mock's is "create": the topic appears with its defaults (4 partitions, RF min(3, brokers)).
            AssertTopic(topic, name, 4, 3, version);
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Null_topic_list_returns_all_topics(short version)
    {
        var response = Send(new MetadataRequest(null, false), version);

        AssertBrokers(response);
        Assert.Equal(response.Topics.Count, response.Topics.Select(t => t.Name).Distinct().Count());
        AssertTopic(response.Topics.Single(t => t.Name == Topic), Topic, 3, 3, version);
        AssertTopic(response.Topics.Single(t => t.Name == OtherTopic), OtherTopic, 2, 1, version);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Empty_topic_list_returns_brokers_only(short version)
    {
        var response = Send(new MetadataRequest([], false), version);

        AssertBrokers(response);
        Assert.Empty(response.Topics);
    }

    private void AssertBrokers(MetadataResponse response)
    {
        Assert.Equal([1, 2, 3], response.Brokers.Select(b => b.NodeId).Order());
        // Every advertised endpoint is one of the bootstrap entries, one broker each.
        Assert.Equal(_cluster.Bootstrap.Order(StringComparer.Ordinal),
            response.Brokers.Select(b => $"{b.Host}:{b.Port}").Order(StringComparer.Ordinal));
        foreach (var broker in response.Brokers)
        {
            Assert.Null(broker.Rack);
        }
    }

    private static void AssertTopic(MetadataTopic topic, string name, int partitions, int replicationFactor, short version)
    {
        Assert.Equal(ErrorCode.None, topic.ErrorCode);
        Assert.Equal(name, topic.Name);
        Assert.False(topic.IsInternal);
        if (version >= 10) Assert.NotEqual(Guid.Empty, topic.TopicId);
        else Assert.Equal(Guid.Empty, topic.TopicId);

        Assert.Equal(Enumerable.Range(0, partitions), topic.Partitions.Select(p => p.PartitionIndex).Order());
        foreach (var p in topic.Partitions)
        {
            Assert.Equal(ErrorCode.None, p.ErrorCode);
            Assert.Contains(p.LeaderId, new[] { 1, 2, 3 });
            if (version >= 7) Assert.True(p.LeaderEpoch >= 0, $"leader epoch {p.LeaderEpoch}");
            else Assert.Equal(-1, p.LeaderEpoch);
            Assert.Equal(replicationFactor, p.ReplicaNodes.Count);
            Assert.Equal(replicationFactor, p.ReplicaNodes.Distinct().Count());
            Assert.Contains(p.LeaderId, p.ReplicaNodes);
            Assert.Equal(p.ReplicaNodes.Order(), p.IsrNodes.Order());
            Assert.Empty(p.OfflineReplicas);
        }
    }
}
