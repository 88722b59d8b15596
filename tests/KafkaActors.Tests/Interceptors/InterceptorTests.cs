using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using KafkaActors.Errors;
using KafkaActors.Interceptors;
using KafkaActors.Protocol.Errors;
using KafkaActors.Settings;
using KafkaActors.Streams;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Interceptors;

/// <summary>
/// Producer interceptors (Java's ProducerInterceptor): OnSend may replace the record on every send path;
/// OnAcknowledgement runs exactly once per record, before its own callback, for successes and failures
/// alike; their exceptions are swallowed; Dispose runs on close; interceptor.classes makes instances.
/// </summary>
public sealed class InterceptorTests(KafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<KafkaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private KafkaProducer<string?, string?> NewProducer(IEnumerable<IProducerInterceptor<string?, string?>> interceptors, params (string, string)[] overrides) =>
        new(Producers.Settings(fixture.Bootstrap, overrides), system: Sys, interceptors: interceptors);

    private static ProducerRecord<string?, string?> Record(string topic, string value) =>
        new(topic, null, null, $"key-{value}", value, new Headers().Add("original", value));

    /// <summary>What the topic should hold for a record the given interceptors rewrote, in order.</summary>
    private static ProducerRecord<string?, string?> Rewritten(ProducerRecord<string?, string?> sent, params string[] names)
    {
        var headers = new Headers();
        foreach (var header in sent.Headers ?? new Headers()) headers.Add(header.Key, header.Value);
        foreach (var name in names) headers.Add("intercepted-by", name);
        return new ProducerRecord<string?, string?>(sent.Topic, sent.Partition, sent.Timestamp, sent.Key, sent.Value + string.Concat(names.Select(n => $"|{n}")), headers);
    }

    private static void AssertTopicHolds(IEnumerable<ProducerRecord<string?, string?>> expected, IReadOnlyList<ConsumedRecord> found)
    {
        var byValue = found.ToDictionary(r => Text(r.Value)!);
        var expectedList = expected.ToList();
        Assert.Equal(expectedList.Count, found.Count);
        foreach (var record in expectedList)
        {
            Assert.True(byValue.TryGetValue(record.Value!, out var match), $"{record.Value} not in the topic");
            Same(record, match!);
        }
    }

    [Fact]
    public async Task OnSend_rewrites_the_value_and_adds_a_header_on_every_send_path()
    {
        var topic = fixture.CreateTopic("intercept-rewrite", 2);
        var rewriter = new RecordingInterceptor("rw");
        await using var producer = NewProducer([rewriter]);
        var sent = new List<ProducerRecord<string?, string?>>();

        // Task facade.
        var asyncRecords = Enumerable.Range(0, 20).Select(i => Record(topic, $"async-{i}")).ToList();
        sent.AddRange(asyncRecords);
        var metadata = await Task.WhenAll(asyncRecords.Select(r => producer.SendAsync(r))).WaitAsync(Wait);

        // Callback facade.
        var callbacks = 0;
        foreach (var record in Enumerable.Range(0, 10).Select(i => Record(topic, $"callback-{i}")))
        {
            sent.Add(record);
            producer.Send(record, (_, e) => { if (e is null) Interlocked.Increment(ref callbacks); });
        }
        await producer.FlushAsync().WaitAsync(Wait);
        Assert.Equal(10, Volatile.Read(ref callbacks));

        // Tell.
        var told = Enumerable.Range(0, 10).Select(i => Record(topic, $"tell-{i}")).ToList();
        sent.AddRange(told);
        foreach (var record in told) producer.Actor.Tell(new Produce<string?, string?>(record, record.Value), TestActor);
        for (var i = 0; i < told.Count; i++) ExpectMsg<Delivered>(Wait);

        // Stream.
        var streamed = Enumerable.Range(0, 10).Select(i => Record(topic, $"stream-{i}")).ToList();
        sent.AddRange(streamed);
        await Source.From(streamed).RunWith(KafkaSink.Create(producer), Sys).WaitAsync(Wait);

        var found = fixture.ReadAll(topic);
        AssertTopicHolds(sent.Select(r => Rewritten(r, "rw")), found);
        // The task's metadata is the rewritten record's.
        var byPosition = ByPosition(found);
        for (var i = 0; i < asyncRecords.Count; i++)
        {
            Same(Rewritten(asyncRecords[i], "rw"), At(byPosition, metadata[i]));
            Assert.Equal(Utf8(asyncRecords[i].Value + "|rw")!.Length, metadata[i].SerializedValueSize);
        }
        // OnSend saw each original exactly once; every record was acknowledged once, successfully.
        Assert.Equal(sent.Select(r => r.Value).Order(), rewriter.Sent.Select(r => r.Value).Order());
        Assert.Equal(sent.Count, rewriter.Acks.Count);
        Assert.All(rewriter.Acks, a => Assert.Null(a.Error));
    }

    [Fact]
    public async Task OnAcknowledgement_runs_once_per_record_before_its_completion_with_metadata_or_the_error()
    {
        var topic = fixture.CreateTopic("intercept-ack", 1);
        var missing = Topics.Unique("intercept-missing");
        var counter = new CountingInterceptor();
        await using var producer = NewProducer([counter], ("max.request.size", "10000"), ("allow.auto.create.topics", "false"), ("max.block.ms", "500"));

        // Successes: each acknowledgement carries exactly the metadata the task completes with. The
        // interceptor runs before the task completes, so the count is right without waiting.
        var goods = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => producer.SendAsync(Record(topic, $"good-{i}")))).WaitAsync(Wait);
        Assert.Equal(30, counter.Acks.Count);
        Assert.All(counter.Acks, a => Assert.Null(a.Error));
        Assert.Equal(goods.OrderBy(m => m.Offset), counter.Acks.Select(a => a.Metadata).OrderBy(m => m.Offset));
        Assert.All(goods, m => Assert.True(m.HasOffset));

        // Fails before it is appended (Java's onSendError): too large.
        var tooLarge = await Assert.ThrowsAsync<RecordTooLargeException>(() => producer.SendAsync(Record(topic, new string('x', 20_000))).WaitAsync(Wait));
        AssertLastAck(counter, 31, topic, tooLarge);

        // Fails before it is appended: no metadata within max.block.ms.
        var timeout = await Assert.ThrowsAsync<KafkaTimeoutException>(() => producer.SendAsync(Record(missing, "lost")).WaitAsync(Wait));
        AssertLastAck(counter, 32, missing, timeout);

        // Fails after it was appended: the broker refuses its batch.
        fixture.Kafka.PushRequestErrors(ApiKeys.Produce, (short)ErrorCode.InvalidRecord);
        var refused = await Assert.ThrowsAsync<InvalidRecordException>(() => producer.SendAsync(Record(topic, "refused")).WaitAsync(Wait));
        var ack = AssertLastAck(counter, 33, topic, refused);
        Assert.Equal(0, ack.Metadata.Partition);

        // Told and streamed records that fail are reported once too.
        producer.Actor.Tell(new Produce<string?, string?>(Record(topic, new string('t', 20_000)), "told"), TestActor);
        var failed = ExpectMsg<DeliveryFailed>(Wait);
        AssertLastAck(counter, 34, topic, failed.Cause);
        var resume = ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider);
        await Source.From([Record(topic, new string('s', 20_000)), Record(topic, "streamed")])
            .RunWith(KafkaSink.Create(producer).WithAttributes(resume), Sys).WaitAsync(Wait);
        var acks = counter.Acks.ToList();
        Assert.Equal(36, acks.Count);
        Assert.IsType<RecordTooLargeException>(acks[34].Error);
        Assert.Equal(topic, acks[34].Metadata.Topic);
        Assert.Null(acks[35].Error);

        var after = await producer.SendAsync(Record(topic, "after")).WaitAsync(Wait);
        Assert.Equal(37, counter.Acks.Count);
        Assert.Equal(after, counter.Acks.Last().Metadata);
        Assert.Equal(37, counter.Sent.Count);

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"good-{i}").Append("streamed").Append("after"),
            fixture.ReadAll(topic).Select(r => Text(r.Value)));
    }

    private static (RecordMetadata Metadata, Exception? Error) AssertLastAck(CountingInterceptor counter, int expectedCount, string topic, Exception error)
    {
        Assert.Equal(expectedCount, counter.Acks.Count);
        var ack = counter.Acks.Last();
        Assert.Same(error, ack.Error);
        Assert.Equal(topic, ack.Metadata.Topic);
        Assert.False(ack.Metadata.HasOffset);
        return ack;
    }

    [Fact]
    public async Task An_interceptor_that_throws_breaks_neither_sending_nor_the_interceptors_after_it()
    {
        var topic = fixture.CreateTopic("intercept-throws", 2);
        var thrower = new ThrowingInterceptor();
        var after = new RecordingInterceptor("after");
        var producer = NewProducer([thrower, after], ("max.request.size", "10000"));

        var records = Enumerable.Range(0, 20).Select(i => Record(topic, $"v{i}")).ToList();
        await Task.WhenAll(records.Select(r => producer.SendAsync(r))).WaitAsync(Wait);
        var streamed = Enumerable.Range(0, 10).Select(i => Record(topic, $"s{i}")).ToList();
        await Source.From(streamed).RunWith(KafkaSink.Create(producer), Sys).WaitAsync(Wait);
        await Assert.ThrowsAsync<RecordTooLargeException>(() => producer.SendAsync(Record(topic, new string('x', 20_000))).WaitAsync(Wait));

        // The thrower's failed OnSend leaves the record as it was for the next interceptor.
        Assert.Equal(31, thrower.Sends);
        Assert.Equal(31, after.Sent.Count);
        Assert.All(records.Concat(streamed), r => Assert.Contains(r, after.Sent));
        Assert.Equal(31, thrower.Acks);
        Assert.Equal(31, after.Acks.Count);
        Assert.Single(after.Acks, a => a.Error is RecordTooLargeException);

        // Dispose throwing does not make Close throw, and the next interceptor is still disposed.
        await producer.CloseAsync(TimeSpan.FromSeconds(10)).WaitAsync(Wait);
        Assert.Equal(1, thrower.Disposes);
        Assert.Equal(1, after.DisposeCount);

        AssertTopicHolds(records.Concat(streamed).Select(r => Rewritten(r, "after")), fixture.ReadAll(topic));
    }

    [Fact]
    public async Task Dispose_is_called_once_on_close_after_the_last_acknowledgement()
    {
        var topic = fixture.CreateTopic("intercept-dispose", 1);
        var counter = new CountingInterceptor();
        var producer = NewProducer([counter], ("linger.ms", "200"));

        for (var i = 0; i < 50; i++) producer.Send(Record(topic, $"v{i}"));
        Assert.Equal(0, counter.DisposeCount);
        await producer.CloseAsync(TimeSpan.FromSeconds(10)).WaitAsync(Wait);

        Assert.Equal(1, counter.DisposeCount);
        Assert.Equal(50, counter.AcksWhenDisposed);
        producer.Close(TimeSpan.FromSeconds(1));
        producer.Dispose();
        await producer.DisposeAsync();
        Assert.Equal(1, counter.DisposeCount);
        Assert.Equal(50, fixture.ReadAll(topic).Count);
    }

    [Fact]
    public async Task Interceptor_classes_from_properties_with_an_assembly_qualified_name_run_before_the_given_ones()
    {
        var name = typeof(ConfiguredInterceptor).AssemblyQualifiedName!;
        var settings = Producers.Settings(fixture.Bootstrap, (ProducerConfig.InterceptorClasses, name));
        Assert.Equal([name], settings.InterceptorClasses);
        await ProduceThroughConfiguredInterceptor(settings, "intercept-classes-properties");
    }

    [Fact]
    public async Task Interceptor_classes_from_hocon_with_an_assembly_qualified_name_run_before_the_given_ones()
    {
        var name = typeof(ConfiguredInterceptor).AssemblyQualifiedName!;
        var settings = ProducerSettings.FromConfig(ConfigurationFactory.ParseString($$"""
            akka.kafka.producer {
              bootstrap.servers = "{{fixture.Bootstrap}}"
              interceptor.classes = ["{{name}}"]
            }
            """));
        Assert.Equal([name], settings.InterceptorClasses);
        await ProduceThroughConfiguredInterceptor(settings, "intercept-classes-hocon");
    }

    [Fact]
    public void Interceptor_classes_set_in_hocon_survive_the_trip_through_properties_that_hosting_makes()
    {
        // KafkaActors.Hosting layers settings as properties: UserProperties(block), then FromProperties.
        var name = typeof(ConfiguredInterceptor).AssemblyQualifiedName!;
        var block = ConfigurationFactory.ParseString($$"""interceptor.classes = ["{{name}}"]""");
        var properties = ProducerSettings.UserProperties(block).ToDictionary();
        properties[ProducerConfig.BootstrapServers] = fixture.Bootstrap;
        Assert.Equal([name], ProducerSettings.FromProperties(properties).InterceptorClasses);
    }

    private async Task ProduceThroughConfiguredInterceptor(ProducerSettings settings, string prefix)
    {
        var topic = fixture.CreateTopic(prefix, 1);
        var before = ConfiguredInterceptor.Created.Count;
        var given = new RecordingInterceptor("given");
        ConfiguredInterceptor configured;
        await using (var producer = new KafkaProducer<string?, string?>(settings, system: Sys, interceptors: [given]))
        {
            Assert.Equal(before + 1, ConfiguredInterceptor.Created.Count);
            configured = ConfiguredInterceptor.Created.Last();
            await Task.WhenAll(Enumerable.Range(0, 5).Select(i => producer.SendAsync(Record(topic, $"v{i}")))).WaitAsync(Wait);
            Assert.Equal(5, configured.Acks.Count);
        }
        Assert.Equal(1, configured.DisposeCount);
        Assert.Equal(1, given.DisposeCount);
        // Configured first, then the given one: it sees (and rewrites) the configured one's output.
        Assert.All(given.Sent, r => Assert.EndsWith("|configured", r.Value));
        var expected = Enumerable.Range(0, 5).Select(i => Rewritten(Record(topic, $"v{i}"), "configured", "given"));
        Assert.Equal(expected.Select(r => r.Value), fixture.ReadAll(topic).Select(r => Text(r.Value)));
        AssertTopicHolds(expected, fixture.ReadAll(topic));
    }

    [Fact]
    public void Interceptor_classes_that_cannot_be_made_throw_ConfigException_naming_the_setting()
    {
        var settings = Producers.Settings(fixture.Bootstrap);

        var unknown = Assert.Throws<ConfigException>(() => new KafkaProducer<string?, string?>(
            settings with { InterceptorClasses = ["KafkaActors.Tests.Interceptors.NoSuchInterceptor, KafkaActors.Tests"] }, system: Sys));
        Assert.Contains(ProducerConfig.InterceptorClasses, unknown.Message);

        var wrongTypes = Assert.Throws<ConfigException>(() => new KafkaProducer<string?, string?>(
            settings with { InterceptorClasses = [typeof(BytesInterceptor).AssemblyQualifiedName!] }, system: Sys));
        Assert.Contains(ProducerConfig.InterceptorClasses, wrongTypes.Message);
        Assert.Contains("IProducerInterceptor", wrongTypes.Message);

        // No parameterless constructor (as when trimming removed it): a ConfigException too, not a MissingMethodException.
        var noConstructor = Assert.Throws<ConfigException>(() => new KafkaProducer<string?, string?>(
            settings with { InterceptorClasses = [typeof(RecordingInterceptor).AssemblyQualifiedName!] }, system: Sys));
        Assert.Contains(ProducerConfig.InterceptorClasses, noConstructor.Message);
        Assert.Contains("could not be created", noConstructor.Message);
    }
}
