using Akka.Actor;
using Akka.Configuration;
using KafkaActors.Partition;
using KafkaActors.Settings;
using KafkaActors.Tests.Support;
using Xunit;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>
/// An idle partition costs no timer: once its batches are acknowledged, its actor holds no armed Akka timer
/// (delivery-timeout expiry, retry backoff) and no armed linger timer. Asked of each partition actor itself
/// (<see cref="PartitionActor.DescribeTimers"/>), in an ActorSystem of the user's (so the partition mailbox is registered
/// on demand), with the records read back from the broker.
/// </summary>
public sealed class IdlePartitionTests(ThreeBrokerKafkaFixture fixture) : IClassFixture<ThreeBrokerKafkaFixture>
{
    private const int Partitions = 6;

    [Fact]
    public async Task A_waiting_batch_arms_its_timers_and_an_acknowledged_partition_holds_none()
    {
        var topic = fixture.CreateTopic("idle-timers", Partitions, replicationFactor: 3);
        using var system = ActorSystem.Create("idle-timers", ConfigurationFactory.ParseString(ActorTestConfig.Hocon));
        await using var producer = new KafkaProducer<string?, string?>(ProducerSettings.FromProperties(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = fixture.Bootstrap,
            ["linger.ms"] = "60000", // a batch waits until flushed: its timers stay armed meanwhile
        }), system: system);

        // Metadata first, so that every partition has its actor.
        var first = producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, "k", "first"));
        await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await first;
        var waiting = producer.SendAsync(new ProducerRecord<string?, string?>(topic, 1, "k", "waiting"));
        var lingering = await Describe(system, producer, topic, 1);
        Assert.True(lingering.LingerArmed, "a lingering batch arms its linger timer");
        Assert.Equal(1, lingering.SchedulerTimers); // and its delivery-timeout expiry

        for (var p = 0; p < Partitions; p++)
            for (var i = 0; i < 5; i++)
                producer.Send(new ProducerRecord<string?, string?>(topic, p, $"k{i}", $"v{p}-{i}"));
        await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await waiting;

        for (var p = 0; p < Partitions; p++)
        {
            var idle = await Describe(system, producer, topic, p);
            Assert.Equal(new PartitionActor.TimersDescribed(new TopicPartition(topic, p), 0, false), idle);
        }
        Assert.Equal(2 + Partitions * 5, fixture.CountRecords(topic));
    }

    private static Task<PartitionActor.TimersDescribed> Describe(ActorSystem system, KafkaProducer<string?, string?> producer, string topic, int partition) =>
        system.ActorSelection(producer.Actor.Path / $"partition-{topic}-{partition}")
            .Ask<PartitionActor.TimersDescribed>(PartitionActor.DescribeTimers.Instance, TimeSpan.FromSeconds(10));
}
