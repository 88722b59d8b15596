using System.Diagnostics;
using System.Text;
using KafkaActors.Settings;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;

namespace KafkaActors.Tests.Network;

/// <summary>
/// Quotas (KIP-219): a Produce response with a throttle time mutes the connection to that broker until the time has
/// passed, as Java's NetworkClient does. The throttle time is written into one of the broker's responses by the
/// embedded cluster's front, whose request log also notes when each request arrives: the broker's own view of the gap.
/// </summary>
public sealed class ThrottleTests
{
    private const int ThrottleMs = 1500;

    [Fact]
    public async Task A_throttled_broker_is_left_alone_for_the_throttle_time()
    {
        await using var kafka = PlaintextFront.Start();
        var topic = kafka.CreateTopic("throttled");
        await using var producer = Producers.Strings(kafka.BootstrapServers, (ProducerConfig.LingerMs, "0"), (ProducerConfig.MaxInFlightRequestsPerConnection, "1"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, "k0", "v0")).WaitAsync(TimeSpan.FromSeconds(30));

        // The next Produce response says "throttled for 1.5 s"; records sent right after it must wait that long.
        kafka.ThrottleNextResponses(1, ApiKeys.Produce, ThrottleMs);
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, "k1", "v1")).WaitAsync(TimeSpan.FromSeconds(30));
        var throttledAt = kafka.RequestLog.Responses.Single(r => r.ThrottleTimeMs > 0).SentTicks;
        var sends = Enumerable.Range(2, 20).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, $"k{i}", $"v{i}"))).ToList();
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30));

        // Nothing reached the broker on any connection of this producer until the throttle time was over.
        var next = kafka.RequestLog.Requests.Where(r => r.ArrivedTicks > throttledAt).MinBy(r => r.ArrivedTicks);
        Assert.NotNull(next);
        var gapMs = Stopwatch.GetElapsedTime(throttledAt, next.ArrivedTicks).TotalMilliseconds;
        Assert.True(gapMs >= ThrottleMs - 50, $"the next request (API {next.ApiKey}) came {gapMs:0} ms after a {ThrottleMs} ms throttle");

        var metrics = producer.MetricValues();
        Assert.Equal(ThrottleMs, metrics["produce-throttle-time-max"]);
        Assert.True(metrics["produce-throttle-time-avg"] > 0, $"produce-throttle-time-avg = {metrics["produce-throttle-time-avg"]}");

        var records = kafka.ReadAll(topic);
        Assert.Equal(Enumerable.Range(0, 22).Select(i => $"v{i}"), records.Select(r => Encoding.UTF8.GetString(r.Value!)));
    }
}
