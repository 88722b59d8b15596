using System.Diagnostics;
using System.Text;
using KafkaActors.Settings;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;

namespace KafkaActors.Tests.Network;

/// <summary>
/// metadata.max.idle.ms, as Java's ProducerMetadata: a topic not sent to for that long leaves the Metadata
/// requests, while a topic in use stays; a later send brings it back. The topics are read from the Metadata
/// requests as they reach the broker (the embedded cluster's front logs them).
/// </summary>
public sealed class MetadataIdleTests
{
    [Fact]
    public async Task A_topic_not_sent_to_for_metadata_max_idle_ms_is_forgotten_and_comes_back_on_the_next_send()
    {
        await using var kafka = PlaintextFront.Start();
        var idle = kafka.CreateTopic("idle-topic");
        var busy = kafka.CreateTopic("busy-topic");
        await using var producer = Producers.Strings(kafka.BootstrapServers, (ProducerConfig.LingerMs, "0"),
            (ProducerConfig.MetadataMaxIdleMs, "5000"), (ProducerConfig.MetadataMaxAgeMs, "300"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(idle, 0, "k", "i0")).WaitAsync(TimeSpan.FromSeconds(30));
        // Timed from the idle topic's last use or later, so a slow first send cannot eat into the margins below.
        var start = Stopwatch.GetTimestamp();

        // Only the busy topic is sent to, every 200 ms, for 9 s: well past 5 s of idleness plus a second of stamp resolution.
        var busySends = 0;
        while (Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(9))
        {
            await producer.SendAsync(new ProducerRecord<string?, string?>(busy, 0, "k", $"b{busySends++}")).WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(200);
        }
        var late = start + (long)(Stopwatch.Frequency * 7.5);
        var metadata = kafka.RequestLog.Requests.Where(r => r.ApiKey == ApiKeys.Metadata).Select(r => (r.ArrivedTicks, Topics: r.Topics ?? [])).ToList();
        Assert.Contains(metadata, m => m.ArrivedTicks < late && m.Topics.Contains(idle) && m.Topics.Contains(busy));
        var after = metadata.Where(m => m.ArrivedTicks > late).ToList();
        Assert.True(after.Count >= 2, $"{after.Count} metadata request(s) in the last 1.5 s (metadata.max.age.ms = 300)");
        Assert.All(after, m => Assert.DoesNotContain(idle, m.Topics));
        Assert.All(after, m => Assert.Contains(busy, m.Topics));

        // Sending to it again waits for its metadata and delivers.
        var resumed = Stopwatch.GetTimestamp();
        await producer.SendAsync(new ProducerRecord<string?, string?>(idle, 0, "k", "i1")).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(kafka.RequestLog.Requests, r => r.ApiKey == ApiKeys.Metadata && r.ArrivedTicks > resumed && (r.Topics ?? []).Contains(idle));
        Assert.Equal(["i0", "i1"], kafka.ReadAll(idle).Select(r => Encoding.UTF8.GetString(r.Value!)));
        Assert.Equal(Enumerable.Range(0, busySends).Select(i => $"b{i}"), kafka.ReadAll(busy).Select(r => Encoding.UTF8.GetString(r.Value!)));
    }
}
