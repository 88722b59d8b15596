using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using KafkaActors.Errors;
using KafkaActors.Protocol.Errors;
using KafkaActors.Streams;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Streams;

/// <summary>
/// A failed record fails the stage, unless the supervision strategy says Resume (then its result is
/// dropped and the rest go on); a closed producer fails it whatever the strategy says.
/// </summary>
public sealed class StreamFailureTests(KafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<KafkaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly Attributes Resume = ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider);

    private KafkaProducer<string?, string?> NewProducer(params (string, string)[] overrides) =>
        new(Producers.Settings(fixture.Bootstrap, overrides), system: Sys);

    private static List<string> Values(IEnumerable<ConsumedRecord> records) => records.Select(r => Text(r.Value)!).ToList();

    /// <summary>good-0 … good-9, one 20 KB record, good-10 … good-19.</summary>
    private static List<ProducerRecord<string?, string?>> WithOversized(string topic) =>
        Enumerable.Range(0, 10).Select(i => new ProducerRecord<string?, string?>(topic, "k", $"good-{i}"))
            .Append(new ProducerRecord<string?, string?>(topic, "k", new string('x', 20_000)))
            .Concat(Enumerable.Range(10, 10).Select(i => new ProducerRecord<string?, string?>(topic, "k", $"good-{i}")))
            .ToList();

    [Fact]
    public async Task Record_larger_than_max_request_size_faults_the_sink_task_with_RecordTooLargeException()
    {
        var topic = fixture.CreateTopic("stream-too-large", 1);
        await using var producer = NewProducer(("max.request.size", "10000"));

        var done = Source.From(WithOversized(topic)).RunWith(KafkaSink.Create(producer), Sys);
        var error = await Assert.ThrowsAsync<RecordTooLargeException>(() => done.WaitAsync(Wait));
        Assert.Contains("max.request.size", error.Message);

        // What the stage took before the bad record still goes out; nothing after it was pulled.
        await producer.FlushAsync().WaitAsync(Wait);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"good-{i}"), Values(fixture.ReadAll(topic)));
    }

    [Fact]
    public async Task With_a_resuming_decider_the_oversized_record_is_dropped_and_the_rest_are_delivered()
    {
        var topic = fixture.CreateTopic("stream-too-large-resume", 1);
        await using var producer = NewProducer(("max.request.size", "10000"));

        await Source.From(WithOversized(topic)).RunWith(KafkaSink.Create(producer).WithAttributes(Resume), Sys).WaitAsync(Wait);

        // Read right after completion: the sink completed only once the 20 good records were acknowledged.
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"good-{i}"), Values(fixture.ReadAll(topic)));
    }

    [Fact]
    public async Task With_a_resuming_decider_the_flow_emits_results_for_all_but_the_oversized_record_in_order()
    {
        var topic = fixture.CreateTopic("flow-too-large-resume", 1);
        await using var producer = NewProducer(("max.request.size", "10000"));
        var messages = WithOversized(topic).Select((r, i) => new ProducerMessage<string?, string?, int>(r, i));

        var results = await Source.From(messages)
            .Via(KafkaFlow.Create<string?, string?, int>(producer).WithAttributes(Resume))
            .RunWith(Sink.Seq<ProducerResult<string?, string?, int>>(), Sys)
            .WaitAsync(Wait);

        Assert.Equal(Enumerable.Range(0, 21).Where(i => i != 10), results.Select(r => r.PassThrough));
        var byPosition = ByPosition(fixture.ReadAll(topic));
        Assert.Equal(20, byPosition.Count);
        foreach (var result in results) Same(result.Record, At(byPosition, result.Metadata));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_record_the_broker_rejects_fails_the_flow_or_with_resume_is_dropped(bool resume)
    {
        var topic = fixture.CreateTopic($"flow-rejected-{resume}", 1);
        await using var producer = NewProducer();
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "warm-up")).WaitAsync(Wait);

        // The next Produce request is refused (INVALID_RECORD, not retriable). With parallelism 1 it carries record 0 alone.
        fixture.Kafka.PushRequestErrors(ApiKeys.Produce, (short)ErrorCode.InvalidRecord);
        var flow = KafkaFlow.Create<string?, string?, int>(producer, parallelism: 1);
        var run = Source.From(Enumerable.Range(0, 5))
            .Select(i => new ProducerMessage<string?, string?, int>(new ProducerRecord<string?, string?>(topic, "k", $"r{i}"), i))
            .Via(resume ? flow.WithAttributes(Resume) : flow)
            .RunWith(Sink.Seq<ProducerResult<string?, string?, int>>(), Sys);

        if (!resume)
        {
            var error = await Assert.ThrowsAsync<InvalidRecordException>(() => run.WaitAsync(Wait));
            Assert.Equal(ErrorCode.InvalidRecord, error.ErrorCode);
            await producer.FlushAsync().WaitAsync(Wait);
            Assert.Equal(["warm-up"], Values(fixture.ReadAll(topic)));
            return;
        }

        var results = await run.WaitAsync(Wait);
        Assert.Equal([1, 2, 3, 4], results.Select(r => r.PassThrough));
        var found = fixture.ReadAll(topic);
        Assert.Equal(["warm-up", "r1", "r2", "r3", "r4"], Values(found));
        var byPosition = ByPosition(found);
        foreach (var result in results) Same(result.Record, At(byPosition, result.Metadata));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Closing_the_producer_fails_a_running_stream_whatever_the_decider(bool resume)
    {
        var topic = fixture.CreateTopic($"stream-closed-{resume}", 1);
        var producer = NewProducer(("linger.ms", "1"));
        var acknowledged = new List<int>();
        var flow = KafkaFlow.Create<string?, string?, int>(producer);

        // An endless source: only the producer's close can end this stream.
        var run = Source.From(Enumerable.Range(0, int.MaxValue))
            .Select(i => new ProducerMessage<string?, string?, int>(new ProducerRecord<string?, string?>(topic, "k", $"r{i}"), i))
            .Via(resume ? flow.WithAttributes(Resume) : flow)
            .RunWith(Sink.ForEach<ProducerResult<string?, string?, int>>(r => { lock (acknowledged) acknowledged.Add(r.PassThrough); }), Sys);

        await Poll.Until(() => { lock (acknowledged) return acknowledged.Count >= 1000; }, Wait, () => $"{acknowledged.Count} acknowledged");
        await producer.CloseAsync(TimeSpan.FromSeconds(10)).WaitAsync(Wait);
        await Assert.ThrowsAsync<ProducerClosedException>(() => run.WaitAsync(Wait));

        // Every result the flow emitted is in the topic, in order; so is everything the producer took
        // before it closed (a prefix of the source: nothing skipped, nothing twice).
        List<int> seen;
        lock (acknowledged) seen = acknowledged.ToList();
        Assert.Equal(Enumerable.Range(0, seen.Count), seen);
        var found = Values(fixture.ReadAll(topic));
        Output!.WriteLine($"{seen.Count} results, {found.Count} records in the topic");
        Assert.True(found.Count >= seen.Count);
        Assert.Equal(Enumerable.Range(0, found.Count).Select(i => $"r{i}"), found);
    }

    [Fact]
    public async Task Memory_a_stream_was_waiting_for_when_it_stopped_goes_back_to_the_pool()
    {
        const long memory = 32_768;
        var topic = fixture.CreateTopic("stream-stopped-waiting", 1);
        await using var producer = NewProducer(("buffer.memory", $"{memory}"), ("batch.size", "16384"), ("max.block.ms", "30000"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "warm-up")).WaitAsync(Wait);
        var payload = new string('w', 1000);

        fixture.Kafka.SetBrokerRtt(1, 1000);
        UniqueKillSwitch killSwitch;
        Task<Done> done;
        try
        {
            (killSwitch, done) = Source.From(Enumerable.Range(0, 1000))
                .Select(i => new ProducerRecord<string?, string?>(topic, "k", $"{i:D4}-{payload}"))
                .ViaMaterialized(KillSwitches.Single<ProducerRecord<string?, string?>>(), Keep.Right)
                .ToMaterialized(KafkaSink.Create(producer), Keep.Both)
                .Run(Sys);

            // Memory is full (two batches in flight) and the stage waits for more: stop the stream now.
            await Poll.Until(() => producer.MetricValues()["waiting-threads"] >= 1, Wait, "the stage never waited for memory");
            killSwitch.Abort(new InvalidOperationException("stopped by the test"));
            var stopped = await Assert.ThrowsAnyAsync<Exception>(() => done.WaitAsync(Wait));
            Assert.IsType<InvalidOperationException>(stopped.GetBaseException());
        }
        finally
        {
            fixture.Kafka.SetBrokerRtt(1, 0);
        }

        // Once the batches in flight are acknowledged, all of buffer.memory is free again and nobody waits.
        await producer.FlushAsync().WaitAsync(Wait);
        // (Flush returns once every batch has released its buffer: 2 s is ample.)
        await Poll.Until(() => producer.MetricValues()["buffer-available-bytes"] == memory, TimeSpan.FromSeconds(2),
            () => $"buffer-available-bytes {producer.MetricValues()["buffer-available-bytes"]} of {memory}, waiting-threads {producer.MetricValues()["waiting-threads"]}");
        Assert.Equal(0, producer.MetricValues()["waiting-threads"]);
    }

    [Fact]
    public async Task An_idle_stream_fails_with_its_next_record_after_close_and_a_new_stream_fails_at_once()
    {
        var topic = fixture.CreateTopic("stream-closed-idle", 1);
        var producer = NewProducer();
        var (queue, done) = Source.Queue<ProducerRecord<string?, string?>>(16, OverflowStrategy.Backpressure)
            .ToMaterialized(KafkaSink.Create(producer).WithAttributes(Resume), Keep.Both)
            .Run(Sys);

        for (var i = 0; i < 5; i++) await queue.OfferAsync(new ProducerRecord<string?, string?>(topic, "k", $"before-{i}"));
        await Poll.Until(() => producer.MetricValues()["record-send-total"] >= 5, Wait, "5 records acknowledged");
        await producer.CloseAsync(TimeSpan.FromSeconds(10)).WaitAsync(Wait);
        try
        {
            await queue.OfferAsync(new ProducerRecord<string?, string?>(topic, "k", "after-close"));
        }
        catch (Exception)
        {
            // Fine too: the stream may already have failed when the producer closed.
        }
        await Assert.ThrowsAsync<ProducerClosedException>(() => done.WaitAsync(Wait));

        var late = Source.Single(new ProducerRecord<string?, string?>(topic, "k", "new-stream")).RunWith(KafkaSink.Create(producer), Sys);
        await Assert.ThrowsAsync<ProducerClosedException>(() => late.WaitAsync(Wait));

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"before-{i}"), Values(fixture.ReadAll(topic)));
    }
}
