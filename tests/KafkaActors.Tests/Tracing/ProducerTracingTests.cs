using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Akka.Streams.Dsl;
using KafkaActors.Errors;
using KafkaActors.Protocol.Errors;
using KafkaActors.Streams;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Tracing;

/// <summary>
/// The KafkaActors ActivitySource: a <c>send {topic}</c> span per record with the messaging conventions' tags,
/// parented to the sender's context (facade, Tell, stream), its context in the record's headers as read back by
/// Confluent's consumer, and nothing at all while nobody listens. Serial: listeners are process-wide.
/// </summary>
[Collection(nameof(SerialCollection))]
public sealed class ProducerTracingTests(KafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<KafkaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private KafkaProducer<string?, string?> NewProducer(params (string, string)[] overrides) =>
        new(Producers.Settings(fixture.Bootstrap, overrides), system: Sys);

    private static Activity StartParent() => new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();

    private static string? Header(ConsumedRecord record, string key) =>
        record.Headers.Where(h => h.Key == key).Select(h => h.Value is null ? null : Encoding.UTF8.GetString(h.Value)).SingleOrDefault();

    private static string TraceParentOf(Activity span) => $"00-{span.TraceId.ToHexString()}-{span.SpanId.ToHexString()}-01";

    [Fact]
    public async Task Sends_under_a_parent_give_one_span_each_with_the_conventions_tags_and_their_context_in_the_headers()
    {
        const int count = 20;
        var topic = fixture.CreateTopic("trace-facade", 3);
        using var capture = new SpanCapture();
        await using var producer = NewProducer();

        var parent = StartParent();
        var sent = new List<RecordMetadata>();
        try
        {
            var tasks = Enumerable.Range(0, count).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, $"key-{i}", $"value-{i}"))).ToList();
            Assert.Same(parent, Activity.Current); // the spans never become the caller's current activity
            foreach (var task in tasks) sent.Add(await task.WaitAsync(Wait));
        }
        finally
        {
            parent.Stop();
        }

        var spans = await capture.WaitFor(topic, count);
        Assert.Equal(count, spans.Count);
        var broker = fixture.Bootstrap.Split(',')[0];
        var byPosition = spans.ToDictionary(s => ((string)s.GetTagItem("messaging.destination.partition.id")!, (long)s.GetTagItem("messaging.kafka.offset")!));
        foreach (var span in spans)
        {
            Assert.Equal($"send {topic}", span.DisplayName);
            Assert.Equal(ActivityKind.Producer, span.Kind);
            Assert.Equal(parent.TraceId, span.TraceId);
            Assert.Equal(parent.SpanId, span.ParentSpanId);
            Assert.Equal("kafka", span.GetTagItem("messaging.system"));
            Assert.Equal("send", span.GetTagItem("messaging.operation.name"));
            Assert.Equal("send", span.GetTagItem("messaging.operation.type"));
            Assert.Equal(producer.ClientId, span.GetTagItem("messaging.client.id"));
            Assert.StartsWith("key-", (string)span.GetTagItem("messaging.kafka.message.key")!);
            Assert.Equal(broker, $"{span.GetTagItem("server.address")}:{span.GetTagItem("server.port")}");
            Assert.Equal(ActivityStatusCode.Unset, span.Status);
            Assert.Null(span.GetTagItem("error.type"));
            Assert.True(span.Duration > TimeSpan.Zero);
        }

        var found = fixture.ReadAll(topic);
        Assert.Equal(count, found.Count);
        foreach (var record in found)
        {
            var span = byPosition[(record.Partition.ToString(), record.Offset)];
            Assert.Equal(Encoding.UTF8.GetString(record.Key!), span.GetTagItem("messaging.kafka.message.key"));
            Assert.Equal(TraceParentOf(span), Header(record, "traceparent"));
            // What a consumer does: the context read back from the record is in the caller's trace.
            Assert.True(ActivityContext.TryParse(Header(record, "traceparent"), null, out var context));
            Assert.Equal(parent.TraceId, context.TraceId);
            Assert.Equal(span.SpanId, context.SpanId);
        }
        Assert.Equal(sent.Select(m => (m.Partition, m.Offset)).Order(), found.Select(r => (r.Partition, r.Offset)).Order());
    }

    [Fact]
    public async Task A_record_too_large_and_a_record_the_broker_refuses_end_their_spans_with_the_error()
    {
        var topic = fixture.CreateTopic("trace-failures", 1);
        using var capture = new SpanCapture();
        await using var producer = NewProducer(("max.request.size", "10000"), ("retries", "0"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "warm-up")).WaitAsync(Wait);

        // Before any batch: too large for max.request.size.
        var tooLarge = producer.SendAsync(new ProducerRecord<string?, string?>(topic, "big", new string('x', 20_000)));
        await Assert.ThrowsAsync<RecordTooLargeException>(() => tooLarge.WaitAsync(Wait));
        // In a batch: the broker answers INVALID_RECORD.
        fixture.Kafka.PushPartitionRequestErrors(topic, 0, ApiKeys.Produce, (short)ErrorCode.InvalidRecord);
        var refused = producer.SendAsync(new ProducerRecord<string?, string?>(topic, "refused", "value"));
        var error = await Assert.ThrowsAnyAsync<KafkaException>(() => refused.WaitAsync(Wait));

        var spans = await capture.WaitFor(topic, 3);
        Assert.Equal(3, spans.Count);
        var big = spans.Single(s => (string?)s.GetTagItem("messaging.kafka.message.key") == "big");
        Assert.Equal(ActivityStatusCode.Error, big.Status);
        Assert.Equal(typeof(RecordTooLargeException).FullName, big.GetTagItem("error.type"));
        Assert.Null(big.GetTagItem("messaging.kafka.offset"));
        var broker = spans.Single(s => (string?)s.GetTagItem("messaging.kafka.message.key") == "refused");
        Assert.Equal(ActivityStatusCode.Error, broker.Status);
        Assert.Equal(error.GetType().FullName, broker.GetTagItem("error.type"));
        Assert.Equal("0", broker.GetTagItem("messaging.destination.partition.id"));
        Assert.Null(broker.GetTagItem("messaging.kafka.offset"));
        var ok = spans.Single(s => (string?)s.GetTagItem("messaging.kafka.message.key") == "k");
        Assert.Equal(ActivityStatusCode.Unset, ok.Status);
        Assert.Equal(0L, ok.GetTagItem("messaging.kafka.offset"));
    }

    [Fact]
    public async Task A_traceparent_the_user_set_is_kept_and_a_thrown_error_still_ends_its_span()
    {
        var topic = fixture.CreateTopic("trace-user-header", 1);
        using var capture = new SpanCapture();
        await using var producer = NewProducer();
        const string mine = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        var parent = StartParent();
        try
        {
            await producer.SendAsync(new ProducerRecord<string?, string?>(topic, null, null, "k", "v", new Headers().Add("traceparent", mine))).WaitAsync(Wait);
            // Thrown to the caller (a partition out of range): no callback, but the span ends.
            Assert.Throws<ArgumentException>(() => producer.Send(new ProducerRecord<string?, string?>(topic, 5, "bad", "v")));
        }
        finally
        {
            parent.Stop();
        }

        var record = Assert.Single(fixture.ReadAll(topic));
        Assert.Equal(mine, Header(record, "traceparent")); // exactly one, the user's
        var spans = await capture.WaitFor(topic, 2);
        Assert.Equal(2, spans.Count);
        var bad = spans.Single(s => (string?)s.GetTagItem("messaging.kafka.message.key") == "bad");
        Assert.Equal(ActivityStatusCode.Error, bad.Status);
        Assert.Equal(typeof(ArgumentException).FullName, bad.GetTagItem("error.type"));
        Assert.All(spans, s => Assert.Equal(parent.SpanId, s.ParentSpanId));
    }

    [Fact]
    public async Task With_propagation_off_the_span_exists_but_no_header_is_written()
    {
        var topic = fixture.CreateTopic("trace-no-propagation", 1);
        using var capture = new SpanCapture();
        await using var producer = NewProducer(("tracing.propagate-context", "off"));

        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, null, null, "k", "v", new Headers().Add("mine", "1"))).WaitAsync(Wait);

        Assert.Single(await capture.WaitFor(topic, 1));
        var record = Assert.Single(fixture.ReadAll(topic));
        Assert.Equal(["mine"], record.Headers.Select(h => h.Key));
    }

    [Fact]
    public async Task Records_sharing_one_Headers_object_each_carry_their_own_span_and_the_object_is_left_alone()
    {
        var topic = fixture.CreateTopic("trace-shared-headers", 1);
        using var capture = new SpanCapture();
        await using var producer = NewProducer();
        var shared = new Headers().Add("mine", "1");

        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, null, null, "a", "v", shared)).WaitAsync(Wait);
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, null, null, "b", "v", shared)).WaitAsync(Wait);

        Assert.Single(shared);
        var spans = await capture.WaitFor(topic, 2);
        var found = fixture.ReadAll(topic);
        Assert.Equal(2, found.Count);
        foreach (var record in found)
        {
            Assert.Equal(["mine", "traceparent"], record.Headers.Select(h => h.Key));
            var key = Encoding.UTF8.GetString(record.Key!);
            Assert.Equal(TraceParentOf(spans.Single(s => (string?)s.GetTagItem("messaging.kafka.message.key") == key)), Header(record, "traceparent"));
        }
    }

    [Fact]
    public async Task With_nobody_listening_no_activity_is_created_and_no_header_written()
    {
        var topic = fixture.CreateTopic("trace-off", 2);
        await using var producer = NewProducer();
        // A listener on another source: it is asked about KafkaActors' source too, and must see nothing from it.
        var othersStarted = 0;
        using var other = new ActivityListener
        {
            ShouldListenTo = s => s.Name != KafkaActors.Tracing.ProducerTracing.SourceName && s.Name.StartsWith("KafkaActors", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = a => Interlocked.Increment(ref othersStarted),
        };
        ActivitySource.AddActivityListener(other);
        // Sampled out: a listener that declines every span gets no Activity either.
        using var declining = new SpanCapture(ActivitySamplingResult.None);

        var parent = StartParent();
        try
        {
            for (var i = 0; i < 10; i++) await producer.SendAsync(new ProducerRecord<string?, string?>(topic, $"k{i}", "v")).WaitAsync(Wait);
            producer.Actor.Tell(new Produce<string?, string?>(new ProducerRecord<string?, string?>(topic, "told", "v")), TestActor);
            ExpectMsg<Delivered>(Wait);
            Assert.Same(parent, Activity.Current);
        }
        finally
        {
            parent.Stop();
        }

        Assert.Equal(0, declining.Started);
        Assert.Equal(0, othersStarted);
        var found = fixture.ReadAll(topic);
        Assert.Equal(11, found.Count);
        Assert.All(found, r => Assert.Empty(r.Headers));
    }

    [Fact]
    public async Task Told_records_are_parented_to_the_context_their_Produce_captured_and_bare_records_start_a_trace()
    {
        var topic = fixture.CreateTopic("trace-tell", 1);
        using var capture = new SpanCapture();
        await using var producer = NewProducer();

        var parent = StartParent();
        Produce<string?, string?> produce;
        try
        {
            produce = new Produce<string?, string?>(new ProducerRecord<string?, string?>(topic, "produced", "v"));
        }
        finally
        {
            parent.Stop();
        }
        // Told outside the parent: the context was captured where the Produce was made.
        producer.Actor.Tell(produce, TestActor);
        ExpectMsg<Delivered>(Wait);
        producer.Actor.Tell(new ProducerRecord<string?, string?>(topic, "bare", "v"), TestActor);
        ExpectMsg<Delivered>(Wait);
        // A context given explicitly, e.g. one a consumer read from an incoming message.
        var upstream = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        producer.Actor.Tell(new Produce<string?, string?>(new ProducerRecord<string?, string?>(topic, "explicit", "v")) { ParentContext = upstream }, TestActor);
        ExpectMsg<Delivered>(Wait);

        var spans = await capture.WaitFor(topic, 3);
        var explicitSpan = spans.Single(s => (string?)s.GetTagItem("messaging.kafka.message.key") == "explicit");
        Assert.Equal(upstream.TraceId, explicitSpan.TraceId);
        Assert.Equal(upstream.SpanId, explicitSpan.ParentSpanId);
        var produced = spans.Single(s => (string?)s.GetTagItem("messaging.kafka.message.key") == "produced");
        Assert.Equal(parent.TraceId, produced.TraceId);
        Assert.Equal(parent.SpanId, produced.ParentSpanId);
        var bare = spans.Single(s => (string?)s.GetTagItem("messaging.kafka.message.key") == "bare");
        Assert.Equal(default, bare.ParentSpanId);
        Assert.NotEqual(parent.TraceId, bare.TraceId);

        var found = fixture.ReadAll(topic);
        Assert.Equal(TraceParentOf(produced), Header(found.Single(r => Encoding.UTF8.GetString(r.Key!) == "produced"), "traceparent"));
        Assert.Equal(TraceParentOf(bare), Header(found.Single(r => Encoding.UTF8.GetString(r.Key!) == "bare"), "traceparent"));
    }

    [Fact]
    public async Task A_stream_s_records_are_parented_to_the_context_it_was_materialized_in()
    {
        const int count = 50;
        var topic = fixture.CreateTopic("trace-stream", 2);
        using var capture = new SpanCapture();
        await using var producer = NewProducer();

        var parent = StartParent();
        Task done;
        try
        {
            done = Source.From(Enumerable.Range(0, count)).Select(i => new ProducerRecord<string?, string?>(topic, $"k{i}", "v"))
                .RunWith(KafkaSink.Create(producer), Sys);
        }
        finally
        {
            parent.Stop();
        }
        await done.WaitAsync(Wait);

        var spans = await capture.WaitFor(topic, count);
        Assert.Equal(count, spans.Count);
        Assert.All(spans, s =>
        {
            Assert.Equal(parent.TraceId, s.TraceId);
            Assert.Equal(parent.SpanId, s.ParentSpanId);
            Assert.NotNull(s.GetTagItem("messaging.kafka.offset"));
        });
        var spanIds = spans.Select(s => s.SpanId.ToHexString()).ToHashSet();
        var found = fixture.ReadAll(topic);
        Assert.Equal(count, found.Count);
        Assert.All(found, r => Assert.Contains(Header(r, "traceparent")!.Split('-')[2], spanIds));
    }
}
