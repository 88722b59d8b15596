using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using KafkaActors.Errors;
using KafkaActors.Metrics;
using KafkaActors.Protocol.Errors;
using KafkaActors.Settings;
using KafkaActors.Streams;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Metrics;

/// <summary>
/// The "KafkaActors" meter: one measurement per live producer and instrument, tagged with its client-id,
/// under Java's producer metric names, with the same values as <see cref="KafkaProducer{TKey,TValue}.MetricValues"/>.
/// </summary>
public sealed class ProducerMeterTests(KafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<KafkaFixture>
{
    private const int Leader = 1;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>Values that stay put while a producer is idle (rates keep falling as time passes).</summary>
    private static readonly string[] Stable =
    [
        "record-send-total", "record-error-total", "record-retry-total", "request-total", "outgoing-byte-total",
        "buffer-exhausted-total", "buffer-exhausted-records", "bufferpool-wait-time-ns-total",
        "batch-size-avg", "records-per-request-avg", "request-latency-avg", "request-latency-max", "compression-rate-avg",
        "buffer-total-bytes", "buffer-available-bytes", "waiting-threads",
    ];

    private static string NewClientId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private KafkaProducer<string?, string?> NewProducer(string clientId, params (string, string)[] overrides) =>
        new(Producers.Settings(fixture.Bootstrap, [(ProducerConfig.ClientId, clientId), .. overrides]), system: Sys);

    /// <summary>Collects until the producer's measurements satisfy <paramref name="condition"/> (the meter caches values for 100 ms).</summary>
    private static async Task<IReadOnlyDictionary<string, double>> SeenWhen(MeterCapture meter, string clientId, Func<IReadOnlyDictionary<string, double>, bool> condition)
    {
        IReadOnlyDictionary<string, double> seen = new Dictionary<string, double>();
        await Poll.Until(() => condition(seen = meter.Collect(clientId)), Wait,
            () => $"{clientId}: " + string.Join(", ", seen.Select(kv => $"{kv.Key}={kv.Value}")));
        return seen;
    }

    private static double Get(IReadOnlyDictionary<string, double> values, string name) => values.TryGetValue(name, out var v) ? v : double.NaN;

    [Fact]
    public async Task The_listener_sees_sends_requests_batches_and_idle_buffer_memory_as_MetricValues_does()
    {
        using var meter = new MeterCapture();
        const int count = 500;
        const long memory = 1_048_576;
        var clientId = NewClientId("meter");
        var topic = fixture.CreateTopic("meter", 2);
        await using var producer = NewProducer(clientId, ("buffer.memory", $"{memory}"));

        await Task.WhenAll(Enumerable.Range(0, count).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, $"k{i % 7}", $"v{i}")))).WaitAsync(Wait);

        var seen = await SeenWhen(meter, clientId, s => Get(s, "record-send-total") == count && Get(s, "buffer-available-bytes") == memory);
        Assert.True(Get(seen, "request-total") > 0);
        Assert.True(Get(seen, "batch-size-avg") > 0);
        Assert.True(Get(seen, "records-per-request-avg") > 0);
        Assert.True(Get(seen, "outgoing-byte-total") > 0);
        Assert.True(Get(seen, "record-send-rate") > 0);
        Assert.Equal(memory, Get(seen, "buffer-total-bytes"));
        Assert.Equal(0, Get(seen, "record-error-total"));
        Assert.Equal(0, Get(seen, "waiting-threads"));
        Assert.DoesNotContain(meter.Duplicates, d => d.StartsWith(clientId, StringComparison.Ordinal));
        Assert.Empty(meter.Untagged);

        // MetricValues() gives the same metrics, with the same values.
        var values = producer.MetricValues();
        Assert.Equal(values.Keys.Order(StringComparer.Ordinal), seen.Keys.Order(StringComparer.Ordinal));
        foreach (var name in Stable) Assert.True(values[name] == seen[name], $"{name}: MetricValues {values[name]}, listener {seen[name]}");

        Assert.Equal(count, fixture.CountRecords(topic));
    }

    [Fact]
    public async Task Record_error_total_counts_every_failed_record()
    {
        using var meter = new MeterCapture();
        var clientId = NewClientId("meter-errors");
        var topic = fixture.CreateTopic("meter-errors", 1);
        await using var producer = NewProducer(clientId, ("max.request.size", "10000"), ("allow.auto.create.topics", "false"), ("max.block.ms", "300"));
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", $"v{i}")))).WaitAsync(Wait);

        for (var i = 0; i < 3; i++)
            await Assert.ThrowsAsync<RecordTooLargeException>(() => producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", new string('x', 20_000))).WaitAsync(Wait));
        await Assert.ThrowsAsync<KafkaTimeoutException>(() => producer.SendAsync(new ProducerRecord<string?, string?>(Topics.Unique("meter-missing"), "k", "v")).WaitAsync(Wait));
        fixture.Kafka.PushRequestErrors(ApiKeys.Produce, (short)ErrorCode.InvalidRecord);
        await Assert.ThrowsAsync<InvalidRecordException>(() => producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "refused")).WaitAsync(Wait));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "after")).WaitAsync(Wait);

        var seen = await SeenWhen(meter, clientId, s => Get(s, "record-send-total") == 11 && Get(s, "record-error-total") >= 5);
        Assert.Equal(5, Get(seen, "record-error-total"));
        Assert.True(Get(seen, "record-error-rate") > 0);
        Assert.Equal(5, producer.MetricValues()["record-error-total"]);
    }

    [Fact]
    public async Task Record_error_total_counts_records_that_fail_in_a_stream()
    {
        using var meter = new MeterCapture();
        var clientId = NewClientId("meter-stream-errors");
        var topic = fixture.CreateTopic("meter-stream-errors", 1);
        await using var producer = NewProducer(clientId, ("max.request.size", "10000"));
        var records = Enumerable.Range(0, 10)
            .Select(i => new ProducerRecord<string?, string?>(topic, "k", i % 5 == 2 ? new string('x', 20_000) : $"v{i}"))
            .ToList();

        await Source.From(records)
            .RunWith(KafkaSink.Create(producer).WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider)), Sys)
            .WaitAsync(Wait);

        Assert.Equal(8, fixture.CountRecords(topic));
        // The same two records sent with SendAsync (or told) would count as two record errors.
        var seen = await SeenWhen(meter, clientId, s => Get(s, "record-send-total") == 8);
        Assert.Equal(2, producer.MetricValues()["record-error-total"]);
        Assert.Equal(2, Get(seen, "record-error-total"));
    }

    [Fact]
    public async Task Buffer_exhaustion_is_counted_per_refused_record_and_memory_comes_back()
    {
        using var meter = new MeterCapture();
        const long memory = 32_768;
        var clientId = NewClientId("meter-exhausted");
        var topic = fixture.CreateTopic("meter-exhausted", 1);
        await using var producer = NewProducer(clientId, ("buffer.memory", $"{memory}"), ("batch.size", "16384"), ("max.block.ms", "300"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "warm-up")).WaitAsync(Wait);

        var sends = new List<Task<RecordMetadata>>();
        fixture.Kafka.SetBrokerRtt(Leader, 1500);
        try
        {
            for (var i = 0; i < 100; i++) sends.Add(producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", $"{i:D3}-{new string('e', 1000)}")));
            await Task.WhenAny(Task.WhenAll(sends.Where((_, i) => i >= 50)).ContinueWith(_ => { }), Task.Delay(Wait));
        }
        finally
        {
            fixture.Kafka.SetBrokerRtt(Leader, 0);
        }
        await Task.WhenAll(sends).ContinueWith(_ => { }).WaitAsync(Wait);

        var refused = sends.Count(s => s.IsFaulted);
        Output!.WriteLine($"{refused} of {sends.Count} refused");
        Assert.True(refused > 0, "buffer.memory was never exhausted");
        Assert.All(sends.Where(s => s.IsFaulted), s => Assert.IsType<BufferExhaustedException>(s.Exception!.GetBaseException()));

        var seen = await SeenWhen(meter, clientId, s => Get(s, "buffer-available-bytes") == memory && Get(s, "record-send-total") == 101 - refused);
        Assert.Equal(refused, Get(seen, "buffer-exhausted-records"));
        Assert.Equal(refused, Get(seen, "buffer-exhausted-total"));
        Assert.Equal(refused, Get(seen, "record-error-total"));
        Assert.True(Get(seen, "bufferpool-wait-time-ns-total") > 0);
        Assert.Equal(0, Get(seen, "waiting-threads"));
        Assert.Equal(refused, producer.MetricValues()["buffer-exhausted-records"]);
        Assert.Equal(101 - refused, fixture.CountRecords(topic));
    }

    [Fact]
    public async Task Two_producers_are_reported_apart_and_a_closed_one_no_longer_at_all()
    {
        using var meter = new MeterCapture();
        var topic = fixture.CreateTopic("meter-two", 1);
        var (idA, idB) = (NewClientId("meter-a"), NewClientId("meter-b"));
        var a = NewProducer(idA);
        await using var b = NewProducer(idB);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => a.SendAsync(new ProducerRecord<string?, string?>(topic, "a", $"a{i}")))
            .Concat(Enumerable.Range(0, 25).Select(i => b.SendAsync(new ProducerRecord<string?, string?>(topic, "b", $"b{i}"))))).WaitAsync(Wait);

        IReadOnlyDictionary<string, Dictionary<string, double>> all = new Dictionary<string, Dictionary<string, double>>();
        await Poll.Until(() =>
        {
            all = meter.Collect();
            return all.TryGetValue(idA, out var va) && Get(va, "record-send-total") == 10 &&
                   all.TryGetValue(idB, out var vb) && Get(vb, "record-send-total") == 25;
        }, Wait, () => $"A: {Describe(all, idA)}; B: {Describe(all, idB)}");
        Assert.Equal(all[idA].Keys.Order(StringComparer.Ordinal), all[idB].Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(meter.Duplicates, d => d.StartsWith(idA, StringComparison.Ordinal) || d.StartsWith(idB, StringComparison.Ordinal));

        await a.CloseAsync(TimeSpan.FromSeconds(10)).WaitAsync(Wait);
        var after = meter.Collect();
        Assert.False(after.ContainsKey(idA), $"closed producer {idA} still reported");
        Assert.True(after.ContainsKey(idB), $"open producer {idB} no longer reported");
        Assert.Equal(25, Get(after[idB], "record-send-total"));
    }

    private static string Describe(IReadOnlyDictionary<string, Dictionary<string, double>> all, string id) =>
        all.TryGetValue(id, out var v) ? $"record-send-total={Get(v, "record-send-total")}" : "not reported";
}
