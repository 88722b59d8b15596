using System.Diagnostics;
using Akka.Actor;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>The actor protocol: Tell records, get Delivered / DeliveryFailed back with your correlation.</summary>
public sealed class TellProduceTests(KafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<KafkaFixture>
{
    private const int Partitions = 4;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private sealed record Correlation(int Index);

    private KafkaProducer<string?, string?> NewProducer(params (string, string)[] overrides) =>
        new(Producers.Settings(fixture.Bootstrap, overrides), system: Sys);

    private static ProducerRecord<string?, string?> Record(string topic, int i) =>
        new(topic, null, 1_700_000_000_000 + i, $"key-{i % 37}", $"value-{i}", new Headers().Add("i", i.ToString()));

    [Fact]
    public async Task Thousand_produces_get_thousand_delivered_with_their_correlations_in_partition_order()
    {
        const int count = 1000;
        var topic = fixture.CreateTopic("tell-correlated", Partitions);
        var records = Enumerable.Range(0, count).Select(i => Record(topic, i)).ToList();
        await using var producer = NewProducer();

        foreach (var (record, i) in records.Select((r, i) => (r, i)))
            producer.Actor.Tell(new Produce<string?, string?>(record, new Correlation(i)), TestActor);

        var replies = ReceiveN(count, Wait).ToList();
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        var delivered = replies.Select(m => Assert.IsType<Delivered>(m)).ToList();

        var indexes = delivered.Select(d => Assert.IsType<Correlation>(d.Correlation).Index).ToList();
        Assert.Equal(Enumerable.Range(0, count), indexes.Order());
        // Replies for one partition come in the order the records were told, with rising offsets.
        foreach (var partition in delivered.GroupBy(d => d.Metadata.Partition))
        {
            var order = partition.Select(d => ((Correlation)d.Correlation!).Index).ToList();
            Assert.Equal(order.Order(), order);
            var offsets = partition.Select(d => d.Metadata.Offset).ToList();
            Assert.Equal(offsets.Order(), offsets);
        }

        var found = fixture.ReadAll(topic);
        Assert.Equal(count, found.Count);
        var byPosition = ByPosition(found);
        foreach (var d in delivered)
        {
            var sent = records[((Correlation)d.Correlation!).Index];
            Assert.Equal(topic, d.Metadata.Topic);
            Same(sent, At(byPosition, d.Metadata));
            Assert.Equal(Murmur2Partition(Utf8(sent.Key)!, Partitions), d.Metadata.Partition);
        }
    }

    [Fact]
    public async Task Fire_and_forget_replies_nothing_but_the_records_are_in_the_topic()
    {
        const int count = 500;
        var topic = fixture.CreateTopic("tell-forget", Partitions);
        var records = Enumerable.Range(0, count).Select(i => Record(topic, i)).ToList();
        await using var producer = NewProducer();

        foreach (var record in records)
            producer.Actor.Tell(new Produce<string?, string?>(record, "ignored", Acknowledge: false), TestActor);
        producer.Actor.Tell(Flush.Instance, TestActor);

        ExpectMsg<Flushed>(Wait);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        var found = fixture.ReadAll(topic);
        Assert.Equal(count, found.Count);
        var byValue = found.ToDictionary(r => Text(r.Value)!);
        foreach (var record in records) Same(record, byValue[record.Value!]);
    }

    [Fact]
    public async Task A_bare_producer_record_is_answered_to_its_sender_without_correlation()
    {
        const int count = 10;
        var topic = fixture.CreateTopic("tell-bare", Partitions);
        var records = Enumerable.Range(0, count).Select(i => Record(topic, i)).ToList();
        await using var producer = NewProducer();
        var probe = CreateTestProbe();

        foreach (var record in records) producer.Actor.Tell(record, probe.Ref);

        var delivered = probe.ReceiveN(count, Wait).Select(m => Assert.IsType<Delivered>(m)).ToList();
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Assert.All(delivered, d => Assert.Null(d.Correlation));

        var found = fixture.ReadAll(topic);
        Assert.Equal(count, found.Count);
        var byPosition = ByPosition(found);
        var matched = delivered.Select(d => At(byPosition, d.Metadata)).ToList();
        Assert.Equal(records.Select(r => r.Value).Order(), matched.Select(r => Text(r.Value)).Order());
    }

    [Fact]
    public async Task Flush_answers_flushed_only_after_every_record_is_in_the_topic_without_waiting_for_linger()
    {
        const int count = 300;
        var topic = fixture.CreateTopic("tell-flush", Partitions);
        // A long linger: without the flush, nothing would be sent for 10 s.
        await using var producer = NewProducer(("linger.ms", "10000"));
        var started = Stopwatch.StartNew();

        for (var i = 0; i < count; i++)
            producer.Actor.Tell(new Produce<string?, string?>(Record(topic, i), i), TestActor);
        producer.Actor.Tell(Flush.Instance, TestActor);

        var delivered = 0;
        var flushedAfter = -1;
        for (var n = 0; n < count + 1; n++)
        {
            var message = ReceiveOne(TimeSpan.FromSeconds(8));
            Assert.NotNull(message);
            if (message is Flushed)
            {
                flushedAfter = delivered;
                // At this moment the broker must hold every record told before the flush.
                Assert.Equal(count, fixture.CountRecords(topic));
            }
            else
            {
                Assert.IsType<Delivered>(message);
                delivered++;
            }
        }
        started.Stop();
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        Assert.Equal(count, delivered);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(8), $"flush took {started.Elapsed}: waited for linger.ms?");
        // Java's flush completes after the callbacks of the flushed records: Flushed is the last reply.
        Assert.Equal(count, flushedAfter);
        Assert.Equal(count, fixture.ReadAll(topic).Count);
    }

    [Fact]
    public async Task Tell_and_facade_share_one_producer()
    {
        var topic = fixture.CreateTopic("tell-mixed", Partitions);
        await using var producer = NewProducer();

        var task = producer.SendAsync(Record(topic, 0));
        producer.Actor.Tell(new Produce<string?, string?>(Record(topic, 1), "told"), TestActor);
        var viaTask = await task.WaitAsync(Wait);
        var viaTell = ExpectMsg<Delivered>(Wait);
        Assert.Equal("told", viaTell.Correlation);

        var found = ByPosition(fixture.ReadAll(topic));
        Assert.Equal(2, found.Count);
        Assert.Equal("value-0", Text(At(found, viaTask).Value));
        Assert.Equal("value-1", Text(At(found, viaTell.Metadata).Value));
    }

    [Fact]
    public async Task Many_told_records_waiting_for_metadata_get_BufferFull_then_Ready_and_are_all_delivered()
    {
        var topic = Topics.Unique("tell-backpressure");
        await using var producer = NewProducer(("allow.auto.create.topics", "false"), ("max.block.ms", "10000"),
            ("tell.buffer-full-threshold", "10"), ("tell.ready-threshold", "5"));

        // The topic does not exist yet: told records queue up in the producer actor.
        for (var i = 0; i < 30; i++) producer.Actor.Tell(new Produce<string?, string?>(Record(topic, i), i), TestActor);
        ExpectMsg<BufferFull>(Wait);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // once per episode

        fixture.Kafka.CreateTopic(topic, Partitions);
        var replies = ReceiveN(31, Wait).ToList();
        Assert.Single(replies.OfType<Ready>());
        var delivered = replies.OfType<Delivered>().ToList();
        Assert.Equal(Enumerable.Range(0, 30), delivered.Select(d => (int)d.Correlation!).Order());
        Assert.Equal(30, fixture.ReadAll(topic).Count);
    }
}
