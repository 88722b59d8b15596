using System.Buffers;
using System.Diagnostics;
using System.Text;
using Akka.Actor;
using KafkaActors.Errors;
using KafkaActors.Serialization;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Errors;

/// <summary>On the Tell path every failure is a DeliveryFailed with the correlation; the records around it are delivered.</summary>
public sealed class TellErrorTests(KafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<KafkaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private KafkaProducer<string?, string?> NewProducer(params (string, string)[] overrides) =>
        new(Producers.Settings(fixture.Bootstrap, overrides), valueSerializer: new PickySerializer(), system: Sys);

    private void Tell(KafkaProducer<string?, string?> producer, ProducerRecord<string?, string?> record, object correlation) =>
        producer.Actor.Tell(new Produce<string?, string?>(record, correlation), TestActor);

    /// <summary>Tells good, bad, good; expects Delivered, DeliveryFailed, Delivered (in any order) and the two good ones in the topic.</summary>
    private Exception GoodBadGood(KafkaProducer<string?, string?> producer, string good, ProducerRecord<string?, string?> bad)
    {
        Tell(producer, new ProducerRecord<string?, string?>(good, "k", "before"), "before");
        Tell(producer, bad, "bad");
        Tell(producer, new ProducerRecord<string?, string?>(good, "k", "after"), "after");

        var replies = ReceiveN(3, Wait + TimeSpan.FromSeconds(5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        var failed = Assert.Single(replies.OfType<DeliveryFailed>());
        Assert.Equal("bad", failed.Correlation);
        Assert.Equal(bad.Topic, failed.Topic);
        var delivered = replies.OfType<Delivered>().ToList();
        Assert.Equal(["after", "before"], delivered.Select(d => (string)d.Correlation!).Order());
        Assert.Equal(["before", "after"], fixture.ReadAll(good).Select(r => Text(r.Value)));
        return failed.Cause;
    }

    [Fact]
    public async Task Invalid_topic()
    {
        var good = fixture.CreateTopic("tell-err-topic", 1);
        await using var producer = NewProducer();
        Assert.IsType<InvalidTopicException>(GoodBadGood(producer, good, new ProducerRecord<string?, string?>("bad topic!", "k", "v")));
    }

    [Fact]
    public async Task Serializer_failure()
    {
        var good = fixture.CreateTopic("tell-err-serializer", 1);
        await using var producer = NewProducer();
        var cause = Assert.IsType<SerializationException>(GoodBadGood(producer, good, new ProducerRecord<string?, string?>(good, "k", "poison")));
        Assert.IsType<FormatException>(cause.InnerException);
    }

    [Fact]
    public async Task Record_too_large()
    {
        var good = fixture.CreateTopic("tell-err-large", 1);
        await using var producer = NewProducer(("max.request.size", "10000"));
        Assert.IsType<RecordTooLargeException>(GoodBadGood(producer, good, new ProducerRecord<string?, string?>(good, "k", new string('x', 20_000))));
    }

    [Fact]
    public async Task Partition_out_of_range()
    {
        var good = fixture.CreateTopic("tell-err-partition", 2);
        await using var producer = NewProducer();
        var failed = GoodBadGood(producer, good, new ProducerRecord<string?, string?>(good, 2, "k", "v"));
        Assert.IsAssignableFrom<ArgumentException>(failed);
    }

    [Fact]
    public async Task Unknown_topic_times_out_after_max_block_ms()
    {
        var good = fixture.CreateTopic("tell-err-unknown", 1);
        var missing = Topics.Unique("tell-missing");
        await using var producer = NewProducer(("allow.auto.create.topics", "false"), ("max.block.ms", "1000"));
        var clock = Stopwatch.StartNew();
        var cause = Assert.IsType<KafkaTimeoutException>(GoodBadGood(producer, good, new ProducerRecord<string?, string?>(missing, "k", "v")));
        Assert.Contains(missing, cause.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Tell_after_close_is_not_silently_lost()
    {
        var good = fixture.CreateTopic("tell-err-closed", 1);
        var producer = NewProducer();
        Tell(producer, new ProducerRecord<string?, string?>(good, "k", "before"), "before");
        Assert.Equal("before", ExpectMsg<Delivered>(Wait).Correlation);
        var actor = producer.Actor;
        await producer.CloseAsync(TimeSpan.FromSeconds(5));

        // The actor is gone after close; a told record must not vanish without trace: either a
        // DeliveryFailed(ProducerClosedException) or a dead letter, never a write.
        Watch(actor);
        actor.Tell(new Produce<string?, string?>(new ProducerRecord<string?, string?>(good, "k", "after"), "after"), TestActor);
        var reply = ReceiveOne(TimeSpan.FromMilliseconds(500));
        if (reply is DeliveryFailed failed) Assert.IsType<ProducerClosedException>(failed.Cause);
        else if (reply is not null && reply is not Terminated) Assert.Fail($"unexpected {reply}");
        Assert.Equal(["before"], fixture.ReadAll(good).Select(r => Text(r.Value)));
    }

    /// <summary>UTF-8, except that it refuses the value "poison".</summary>
    private sealed class PickySerializer : ISerializer<string?>
    {
        public bool Serialize(string? data, in SerializationContext context, IBufferWriter<byte> output)
        {
            if (data is null) return false;
            if (data == "poison") throw new FormatException("poison is not serializable");
            output.Write(Encoding.UTF8.GetBytes(data));
            return true;
        }
    }
}
