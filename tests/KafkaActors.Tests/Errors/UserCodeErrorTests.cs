using System.Text;
using Akka.Actor;
using KafkaActors.Partitioning;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Errors;

/// <summary>User code that throws on one record fails that record only: the producer keeps going, and closes.</summary>
public sealed class UserCodeErrorTests(KafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<KafkaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    /// <summary>Throws for the key "poison", sends the rest to partition 0.</summary>
    private sealed class PoisonPartitioner : IPartitioner
    {
        private static readonly byte[] Poison = Encoding.UTF8.GetBytes("poison");

        public int Partition(string topic, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, in PartitionerContext context) =>
            hasKey && key.SequenceEqual(Poison) ? throw new InvalidOperationException("poisoned key") : 0;
    }

    /// <summary>A partitioner whose append hook throws every time: the records it saw are appended all the same.</summary>
    private sealed class ThrowingHookPartitioner : IPartitioner
    {
        public int Partition(string topic, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, in PartitionerContext context) => 0;

        public void OnAppended(string topic, int partition, int bytes) => throw new InvalidOperationException("hook bug");
    }

    private KafkaProducer<string?, string?> NewProducer(IPartitioner partitioner) =>
        new(Producers.Settings(fixture.Bootstrap), system: Sys, partitioner: partitioner);

    [Fact]
    public async Task A_partitioner_throwing_for_one_queued_record_fails_that_record_only()
    {
        var topic = fixture.CreateTopic("poison-partitioner", 2);
        var producer = NewProducer(new PoisonPartitioner());

        // The topic's metadata is not known yet: the poisoned record waits in the producer actor, and the rest behind it.
        var poisoned = producer.SendAsync(new ProducerRecord<string?, string?>(topic, "poison", "lost"));
        var sent = Enumerable.Range(0, 1000).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, $"k{i}", $"v{i}"))).ToArray();
        for (var i = 0; i < 200; i++) producer.Actor.Tell(new Produce<string?, string?>(new ProducerRecord<string?, string?>(topic, $"t{i}", $"told-{i}"), i), TestActor);
        producer.Actor.Tell(new Produce<string?, string?>(new ProducerRecord<string?, string?>(topic, "poison", "told-lost"), "poison"), TestActor);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => poisoned.WaitAsync(Wait));
        Assert.Equal("poisoned key", error.Message);
        await Task.WhenAll(sent).WaitAsync(Wait);
        var replies = ReceiveN(201, Wait);
        Assert.Equal(200, replies.OfType<Delivered>().Count());
        var failed = Assert.Single(replies.OfType<DeliveryFailed>());
        Assert.Equal("poison", failed.Correlation);
        Assert.IsType<InvalidOperationException>(failed.Cause);

        // With the route known, the facade throws the partitioner's exception to the caller (as Java's send does).
        Assert.Throws<InvalidOperationException>(() => producer.Send(new ProducerRecord<string?, string?>(topic, "poison", "thrown")));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "last")).WaitAsync(Wait);

        await producer.CloseAsync(TimeSpan.FromSeconds(5)).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(1201, fixture.CountRecords(topic));
        Assert.Equal(3, producer.MetricValues()["record-error-total"]); // the thrown one counts too
    }

    [Fact]
    public async Task A_throwing_partitioner_hook_does_not_fail_records_that_were_appended()
    {
        var topic = fixture.CreateTopic("throwing-hook", 1);
        await using var producer = NewProducer(new ThrowingHookPartitioner());

        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "queued")).WaitAsync(Wait); // through the actor
        var direct = producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "direct")); // on this thread
        await direct.WaitAsync(Wait);
        producer.Actor.Tell(new Produce<string?, string?>(new ProducerRecord<string?, string?>(topic, "k", "told"), "told"), TestActor);
        Assert.Equal("told", ExpectMsg<Delivered>(Wait).Correlation);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        Assert.Equal(3, fixture.CountRecords(topic));
        Assert.Equal(0, producer.MetricValues()["record-error-total"]);
    }

    [Fact]
    public async Task Callbacks_that_throw_are_logged_and_the_producer_keeps_going()
    {
        var topic = fixture.CreateTopic("throwing-callback", 2);
        await using var producer = new KafkaProducer<string?, string?>(
            Producers.Settings(fixture.Bootstrap, ("max.request.size", "10000")), system: Sys);
        var calls = 0;
        void Throwing(RecordMetadata metadata, Exception? error)
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("callback bug");
        }

        // Completed by a batch (on the partition's actor), and failed before a batch (on this thread).
        for (var i = 0; i < 50; i++) producer.Send(new ProducerRecord<string?, string?>(topic, $"k{i}", $"v{i}"), Throwing);
        producer.Send(new ProducerRecord<string?, string?>(topic, "k", new string('x', 20_000)), Throwing);
        await producer.FlushAsync().WaitAsync(Wait);

        await Poll.Until(() => Volatile.Read(ref calls) == 51, Wait, () => $"{calls} callbacks");
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "last")).WaitAsync(Wait);
        Assert.Equal(51, fixture.CountRecords(topic));
    }
}
