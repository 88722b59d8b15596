using KafkaActors.Errors;
using KafkaActors.Metrics;
using KafkaActors.Protocol.Errors;
using KafkaActors.Settings;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Metrics;

/// <summary>
/// Java's per-topic metrics (tagged topic), record-size, record-queue-time and the windowed maxima, checked
/// against what the broker stored (the raw log reader measures every batch and record as encoded) and what was sent.
/// </summary>
public sealed class TopicMetricsTests(KafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<KafkaFixture>
{
    private const int Leader = 1;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private KafkaProducer<string?, string?> NewProducer(string clientId, params (string, string)[] overrides) =>
        new(Producers.Settings(fixture.Bootstrap, [(ProducerConfig.ClientId, clientId), .. overrides]), system: Sys);

    private static string NewClientId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static string T(string name, string topic) => MetricKey.Of(name, MetricKey.TopicTag, topic);

    private static Task SendAll(KafkaProducer<string?, string?> producer, string topic, int count, int valueBytes, char fill) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            producer.SendAsync(new ProducerRecord<string?, string?>(topic, null, $"{i:D6}{new string(fill, valueBytes - 6)}"))));

    [Fact]
    public async Task Per_topic_counts_and_bytes_and_record_sizes_are_what_the_broker_stored()
    {
        using var meter = new MeterCapture();
        var clientId = NewClientId("topic-metrics");
        var (a, b) = (fixture.CreateTopic("topic-metrics-a", 2), fixture.CreateTopic("topic-metrics-b", 1));
        // A window far longer than the test: averages cover everything sent.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var producer = NewProducer(clientId, ("linger.ms", "20"), ("batch.size", "8192"), ("metrics.sample.window.ms", "600000"));

        await Task.WhenAll(SendAll(producer, a, 300, 100, 'a'), SendAll(producer, b, 120, 700, 'b')).WaitAsync(Wait);

        var storedA = StoredBatchSizes.Read(fixture.Bootstrap, a);
        var storedB = StoredBatchSizes.Read(fixture.Bootstrap, b);
        Assert.Equal(300, storedA.RecordSizes.Count);
        Assert.Equal(120, storedB.RecordSizes.Count);
        var values = producer.MetricValues();
        Output!.WriteLine(string.Join(", ", values.Where(kv => !kv.Key.Contains('{') || kv.Key.Contains(a) || kv.Key.Contains(b)).Select(kv => $"{kv.Key}={kv.Value}")));

        Assert.Equal(300, values[T("record-send-total", a)]);
        Assert.Equal(120, values[T("record-send-total", b)]);
        Assert.Equal(420, values["record-send-total"]);
        Assert.Equal(storedA.BatchBytes, values[T("byte-total", a)]);
        Assert.Equal(storedB.BatchBytes, values[T("byte-total", b)]);
        // Each topic's window starts with its first partition actor, after the producer: no longer than the test so far.
        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var (topic, bytes, records) in new[] { (a, storedA.BatchBytes, 300), (b, storedB.BatchBytes, 120) })
        {
            Assert.True(values[T("byte-rate", topic)] >= bytes / seconds, $"{topic}: byte-rate {values[T("byte-rate", topic)]} for {bytes} bytes in {seconds} s");
            Assert.True(values[T("record-send-rate", topic)] >= records / seconds, $"{topic}: record-send-rate {values[T("record-send-rate", topic)]}");
        }
        foreach (var topic in new[] { a, b })
        {
            Assert.Equal(1, values[T("compression-rate", topic)]);
            Assert.Equal(0, values[T("record-error-total", topic)]);
            Assert.Equal(0, values[T("record-retry-total", topic)]);
        }

        var sizes = storedA.RecordSizes.Concat(storedB.RecordSizes).ToList();
        Assert.Equal(sizes.Max(), values["record-size-max"]);
        Assert.Equal(sizes.Average(), values["record-size-avg"], 6);
        Assert.InRange(values["record-size-max"], 700, 700 + 16);

        // Queue time: one per batch drained, none longer than linger.ms plus a loaded machine's delays.
        Assert.InRange(values["record-queue-time-max"], 0, 20 + 5000);
        Assert.InRange(values["record-queue-time-avg"], 0, values["record-queue-time-max"]);
        Assert.Equal(storedA.Batches, meter.Histogram(clientId, "record-queue-time").Count(h => h.Tag == "topic" && h.TagValue == a));
        Assert.Equal(storedB.Batches, meter.Histogram(clientId, "record-queue-time").Count(h => h.Tag == "topic" && h.TagValue == b));

        // The listener sees the topic-tagged values under the same keys.
        var seen = meter.Collect(clientId);
        Assert.Equal(300, seen[T("record-send-total", a)]);
        Assert.Equal(storedB.BatchBytes, seen[T("byte-total", b)]);
        Assert.DoesNotContain(meter.Duplicates, d => d.StartsWith(clientId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Record_queue_time_is_the_linger_a_lone_record_waits()
    {
        using var meter = new MeterCapture();
        const int linger = 300;
        var clientId = NewClientId("queue-time");
        var topic = fixture.CreateTopic("queue-time", 1);
        await using var producer = NewProducer(clientId, ("linger.ms", $"{linger}"), ("metrics.sample.window.ms", "600000"));

        for (var i = 0; i < 4; i++) await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", $"v{i}")).WaitAsync(Wait);

        var values = producer.MetricValues();
        var queued = meter.Histogram(clientId, "record-queue-time").Where(h => h.TagValue == topic).Select(h => h.Value).ToList();
        Output!.WriteLine($"queue times: {string.Join(", ", queued)}; avg {values["record-queue-time-avg"]}, max {values["record-queue-time-max"]}");
        Assert.Equal(4, queued.Count);
        Assert.All(queued, q => Assert.InRange(q, linger - 5, linger + 5000));
        Assert.Equal(queued.Average(), values["record-queue-time-avg"], 6);
        Assert.Equal(queued.Max(), values["record-queue-time-max"]);
        Assert.Equal(4, values[T("record-send-total", topic)]);
    }

    [Fact]
    public async Task Errors_and_retries_are_counted_for_their_own_topic()
    {
        var clientId = NewClientId("topic-errors");
        var (retried, refused) = (fixture.CreateTopic("topic-retried", 1), fixture.CreateTopic("topic-refused", 1));
        await using var producer = NewProducer(clientId, ("linger.ms", "0"), ("retry.backoff.ms", "10"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(retried, "k", "warm-up")).WaitAsync(Wait);
        await producer.SendAsync(new ProducerRecord<string?, string?>(refused, "k", "warm-up")).WaitAsync(Wait);

        fixture.Kafka.PushPartitionRequestErrors(retried, 0, ApiKeys.Produce, (short)ErrorCode.NotEnoughReplicas, (short)ErrorCode.NotEnoughReplicas);
        fixture.Kafka.PushPartitionRequestErrors(refused, 0, ApiKeys.Produce, (short)ErrorCode.InvalidRecord);
        await producer.SendAsync(new ProducerRecord<string?, string?>(retried, "k", "after two retries")).WaitAsync(Wait);
        await Assert.ThrowsAsync<InvalidRecordException>(() => producer.SendAsync(new ProducerRecord<string?, string?>(refused, "k", "refused")).WaitAsync(Wait));

        var values = producer.MetricValues();
        Assert.Equal(2, values[T("record-retry-total", retried)]);
        Assert.Equal(0, values[T("record-error-total", retried)]);
        Assert.Equal(2, values[T("record-send-total", retried)]);
        Assert.Equal(0, values[T("record-retry-total", refused)]);
        Assert.Equal(1, values[T("record-error-total", refused)]);
        Assert.Equal(1, values[T("record-send-total", refused)]);
        Assert.True(values[T("record-retry-rate", retried)] > 0 && values[T("record-error-rate", refused)] > 0);
        Assert.Equal(2, values["record-retry-total"]);
        Assert.Equal(1, values["record-error-total"]);
        Assert.Equal(2, fixture.CountRecords(retried));
        Assert.Equal(1, fixture.CountRecords(refused));
    }

    [Fact]
    public async Task Maxima_drop_out_once_their_sample_windows_have_passed()
    {
        const int window = 1500, rtt = 600, linger = 400;
        var clientId = NewClientId("windowed-max");
        var topic = fixture.CreateTopic("windowed-max", 1);
        await using var producer = NewProducer(clientId, ("linger.ms", $"{linger}"), ("metrics.sample.window.ms", $"{window}"), ("metrics.num.samples", "2"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "connect")).WaitAsync(Wait);

        fixture.Kafka.SetBrokerRtt(Leader, rtt);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "slow")).WaitAsync(Wait);
        }
        finally
        {
            fixture.Kafka.SetBrokerRtt(Leader, 0);
        }
        var sent = clock.Elapsed;
        var values = producer.MetricValues();
        var node = MetricKey.Of("request-latency-max", MetricKey.NodeTag, $"{Leader}");
        Output!.WriteLine($"after {sent.TotalMilliseconds:0} ms: latency max {values["request-latency-max"]}, node {values[node]}, queue time max {values["record-queue-time-max"]}");
        Assert.InRange(values["request-latency-max"], rtt - 5, rtt + 10_000);
        Assert.Equal(values["request-latency-max"], values[node]);
        Assert.InRange(values["record-queue-time-max"], linger - 5, linger + 10_000);

        IReadOnlyDictionary<string, double> now = values;
        await Poll.Until(() =>
        {
            now = producer.MetricValues();
            return now["request-latency-max"] == 0 && now[node] == 0 && now["record-queue-time-max"] == 0 && now["requests-in-flight"] == 0;
        }, Wait, () => $"latency max {now["request-latency-max"]}, node {now[node]}, queue time max {now["record-queue-time-max"]}, in flight {now["requests-in-flight"]}");
        // A value stays at least (samples - 1) windows after it was recorded, which was before the send completed
        // (the margin is for a loaded machine, where the test may see the completion late).
        Assert.True(clock.Elapsed - sent >= TimeSpan.FromMilliseconds(window - 400), $"dropped after {(clock.Elapsed - sent).TotalMilliseconds:0} ms");
        Assert.Equal(2, now["record-send-total"]); // totals stay
    }
}
