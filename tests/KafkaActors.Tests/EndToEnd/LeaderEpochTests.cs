using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>Leader epochs (Metadata v7+): a Metadata answer with an older leader epoch must not move a leader back.</summary>
public sealed class LeaderEpochTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Metadata_with_an_older_leader_epoch_does_not_move_the_leader_back()
    {
        LibRdKafka.EnsureLoaded();
        using var kafka = EmbeddedKafka.Start(2);
        var topic = Topics.Unique("epoch");
        kafka.CreateTopic(topic, 1, 2);
        kafka.SetPartitionLeader(topic, 0, 1);
        await using var producer = Producers.Strings(kafka.BootstrapServers, ("linger.ms", "0"), ("metadata.max.age.ms", "600000"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "on-1")).WaitAsync(TimeSpan.FromSeconds(10));
        var before = producer.PartitionsFor(topic)[0];

        // The leader moves to broker 2 (a newer epoch); the producer learns it from NOT_LEADER and a refresh.
        kafka.SetPartitionLeader(topic, 0, 2);
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "on-2")).WaitAsync(TimeSpan.FromSeconds(15));
        var moved = producer.PartitionsFor(topic)[0];
        output.WriteLine($"before: leader {before.Leader} epoch {before.LeaderEpoch}; moved: leader {moved.Leader} epoch {moved.LeaderEpoch}");
        Assert.Equal(2, moved.Leader);
        Assert.True(moved.LeaderEpoch > before.LeaderEpoch, "the mock bumps the epoch when it moves the leader");

        // The next Metadata answer is stale: the old leader with its old epoch. Fetching another topic's metadata asks for it.
        kafka.PartitionPushLeaderResponse(topic, 0, 1, before.LeaderEpoch);
        var other = Topics.Unique("epoch-other");
        kafka.CreateTopic(other, 1);
        await producer.SendAsync(new ProducerRecord<string?, string?>(other, "k", "v")).WaitAsync(TimeSpan.FromSeconds(10));

        var after = producer.PartitionsFor(topic)[0];
        output.WriteLine($"after the stale answer: leader {after.Leader} epoch {after.LeaderEpoch}");
        Assert.Equal(2, after.Leader);
        Assert.Equal(moved.LeaderEpoch, after.LeaderEpoch);
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "after")).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["on-1", "on-2", "after"], KafkaReader.ReadAll(kafka.BootstrapServers, topic, TimeSpan.FromSeconds(30)).Select(r => Text(r.Value)));
    }

    [Fact]
    public async Task A_NOT_LEADER_answer_naming_a_newer_leader_moves_the_partition_at_once_and_stale_metadata_cannot_move_it_back()
    {
        LibRdKafka.EnsureLoaded();
        using var kafka = EmbeddedKafka.Start(2);
        var topic = Topics.Unique("epoch-hint");
        kafka.CreateTopic(topic, 1, 2);
        kafka.SetPartitionLeader(topic, 0, 1);
        await using var producer = Producers.Strings(kafka.BootstrapServers, ("linger.ms", "0"), ("metadata.max.age.ms", "600000"), ("retry.backoff.ms", "50"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "on-1")).WaitAsync(TimeSpan.FromSeconds(10));
        var before = producer.PartitionsFor(topic)[0];

        // The leader moves; the Metadata refresh the NOT_LEADER answer asks for will still name the old leader.
        kafka.SetPartitionLeader(topic, 0, 2);
        kafka.PartitionPushLeaderResponse(topic, 0, 1, before.LeaderEpoch);
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "on-2")).WaitAsync(TimeSpan.FromSeconds(15));

        // Produce v10 (KIP-951) names the new leader and its epoch: one retry, straight to it.
        var after = producer.PartitionsFor(topic)[0];
        output.WriteLine($"before: leader {before.Leader} epoch {before.LeaderEpoch}; after: leader {after.Leader} epoch {after.LeaderEpoch}; retries {producer.MetricValues()["record-retry-total"]}");
        Assert.Equal(1, producer.MetricValues()["record-retry-total"]);
        Assert.Equal(2, after.Leader);
        Assert.Equal(["on-1", "on-2"], KafkaReader.ReadAll(kafka.BootstrapServers, topic, TimeSpan.FromSeconds(30)).Select(r => Text(r.Value)));
    }
}
