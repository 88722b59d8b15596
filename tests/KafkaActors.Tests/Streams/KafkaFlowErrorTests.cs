using System.Collections.Immutable;
using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using KafkaActors.Errors;
using KafkaActors.Partitioning;
using KafkaActors.Protocol.Errors;
using KafkaActors.Streams;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Streams;

/// <summary>
/// <see cref="KafkaFlow.CreateWithErrors{TKey,TValue,TPassThrough}"/>: one element per message, in input
/// order, a <see cref="PublicationFailedResult{TKey,TValue,TPassThrough}"/> for each failed record; and
/// what Resume means in the stop-on-failure flow.
/// </summary>
public sealed class KafkaFlowErrorTests(KafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<KafkaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>Throws for the key "poison".</summary>
    private sealed class PoisonPartitioner : IPartitioner
    {
        private static readonly byte[] Poison = Encoding.UTF8.GetBytes("poison");

        public int Partition(string topic, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, in PartitionerContext context) =>
            hasKey && key.SequenceEqual(Poison) ? throw new InvalidOperationException("poisoned key") : 0;
    }

    private static List<string> Values(IEnumerable<ConsumedRecord> records) => records.Select(r => Text(r.Value)!).ToList();

    [Fact]
    public async Task The_flow_with_errors_emits_every_outcome_in_order_and_keeps_going()
    {
        var topic = fixture.CreateTopic("flow-with-errors", 1);
        var refusing = fixture.CreateTopic("flow-with-errors-refused", 1);
        await using var producer = new KafkaProducer<string?, string?>(
            Producers.Settings(fixture.Bootstrap, ("max.request.size", "10000")), system: Sys, partitioner: new PoisonPartitioner());
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "warm-up")).WaitAsync(Wait);
        await producer.SendAsync(new ProducerRecord<string?, string?>(refusing, "k", "warm-up")).WaitAsync(Wait);
        fixture.Kafka.PushPartitionRequestErrors(refusing, 0, ApiKeys.Produce, (short)ErrorCode.InvalidRecord);

        // Record 3 is too large, record 6 poisons the partitioner, record 9 is refused by the broker (INVALID_RECORD).
        ProducerRecord<string?, string?> RecordAt(int i) => i switch
        {
            3 => new(topic, "k", new string('x', 20_000)),
            6 => new(topic, "poison", "r6"),
            9 => new(refusing, "k", "r9"),
            _ => new(topic, "k", $"r{i}"),
        };
        var results = await Source.From(Enumerable.Range(0, 12))
            .Select(i => new ProducerMessage<string?, string?, int>(RecordAt(i), i))
            .Via(KafkaFlow.CreateWithErrors<string?, string?, int>(producer))
            .RunWith(Sink.Seq<IResultsWithError<string?, string?, int>>(), Sys)
            .WaitAsync(Wait);

        Assert.Equal(Enumerable.Range(0, 12), results.Select(r => r.PassThrough));
        var failed = results.OfType<PublicationFailedResult<string?, string?, int>>().ToDictionary(r => r.PassThrough, r => r.Cause);
        Assert.Equal([3, 6, 9], failed.Keys.Order());
        Assert.IsType<RecordTooLargeException>(failed[3]);
        Assert.IsType<InvalidOperationException>(failed[6]);
        Assert.Equal(ErrorCode.InvalidRecord, Assert.IsType<InvalidRecordException>(failed[9]).ErrorCode);
        foreach (var r in results.OfType<PublicationFailedResult<string?, string?, int>>()) Assert.Equal(RecordAt(r.PassThrough).Value, r.Record.Value);

        var found = fixture.ReadAll(topic);
        var expected = Enumerable.Range(0, 12).Where(i => i is not (3 or 6 or 9)).Select(i => $"r{i}").Prepend("warm-up");
        Assert.Equal(expected, Values(found));
        var byPosition = ByPosition(found);
        foreach (var ok in results.OfType<ProducerResult<string?, string?, int>>()) Same(ok.Record, At(byPosition, ok.Metadata));
    }

    /// <summary>Record 2 is either poison to the partitioner (which used to kill the stage) or too large (which used to vanish without a word).</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_a_resuming_decider_a_failed_record_is_dropped_with_a_warning_and_the_stream_goes_on(bool poison)
    {
        var topic = fixture.CreateTopic($"flow-resume-{(poison ? "poison" : "too-large")}", 1);
        await using var producer = new KafkaProducer<string?, string?>(
            Producers.Settings(fixture.Bootstrap, ("max.request.size", "10000")), system: Sys, partitioner: new PoisonPartitioner());
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "warm-up")).WaitAsync(Wait);
        ProducerRecord<string?, string?> RecordAt(int i) => i != 2 ? new(topic, "k", $"r{i}")
            : poison ? new(topic, "poison", "r2") : new(topic, "k", new string('x', 20_000));

        IImmutableList<ProducerResult<string?, string?, int>> results = [];
        await EventFilter.Warning(contains: "dropped").ExpectOneAsync(async () => results = await Source.From(Enumerable.Range(0, 6))
            .Select(i => new ProducerMessage<string?, string?, int>(RecordAt(i), i))
            .Via(KafkaFlow.Create<string?, string?, int>(producer).WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider)))
            .RunWith(Sink.Seq<ProducerResult<string?, string?, int>>(), Sys)
            .WaitAsync(Wait));

        Assert.Equal([0, 1, 3, 4, 5], results.Select(r => r.PassThrough));
        Assert.Equal(["warm-up", "r0", "r1", "r3", "r4", "r5"], Values(fixture.ReadAll(topic)));
        Assert.Equal(1, producer.MetricValues()["record-error-total"]);
    }
}
