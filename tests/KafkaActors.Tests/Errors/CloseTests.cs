using System.Diagnostics;
using Akka.Actor;
using KafkaActors.Errors;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Errors;

/// <summary>
/// Close(timeout) returns within its timeout (plus a little), and then every record has exactly one
/// outcome and every buffer is back in buffer.memory. Each test has a cluster of its own: they take brokers down.
/// </summary>
public sealed class CloseTests(ITestOutputHelper output)
{
    private const long BufferMemory = 4 * 1024 * 1024;
    // "About 200 ms" is the aim (the bounded phases after the timeout add at most 0.7 s, ProducerCloser); the rest of the
    // margin is for a shared 2-core machine running the whole suite, where Close(1 s) was once seen to take 2.1 s.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Close_with_the_brokers_down_returns_within_its_timeout_and_fails_every_record_with_ProducerClosedException()
    {
        using var kafka = StartKafka(out var topic);
        var producer = Producers.Strings(kafka.BootstrapServers, ("buffer.memory", BufferMemory.ToString()));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "before")).WaitAsync(TimeSpan.FromSeconds(10));
        kafka.SetBrokerDown(1);
        await Task.Delay(300); // the producer keeps reconnecting meanwhile

        var tasks = Enumerable.Range(0, 50).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, $"k{i}", $"v{i}"))).ToList();
        var callbacks = new int[50];
        for (var i = 0; i < 50; i++)
        {
            var n = i;
            producer.Send(new ProducerRecord<string?, string?>(topic, $"c{i}", $"v{i}"), (_, _) => Interlocked.Increment(ref callbacks[n]));
        }
        // Told records get their outcome as a reply, too.
        var told = Enumerable.Range(0, 20).Select(i => producer.Actor.Ask<object>(
            new Produce<string?, string?>(new ProducerRecord<string?, string?>(topic, $"t{i}", $"v{i}"), i), TimeSpan.FromSeconds(30))).ToList();
        var clock = Stopwatch.StartNew();
        producer.Close(TimeSpan.FromSeconds(1));
        clock.Stop();
        output.WriteLine($"Close(1 s) took {clock.ElapsedMilliseconds} ms");

        AssertClosedOutcomes(tasks, callbacks);
        foreach (var reply in told)
        {
            var failed = Assert.IsType<DeliveryFailed>(await reply.WaitAsync(TimeSpan.FromSeconds(2)));
            Assert.IsType<ProducerClosedException>(failed.Cause);
        }
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1) + Margin);
        Assert.Equal(BufferMemory, producer.MetricValues()["buffer-available-bytes"]);
    }

    [Fact]
    public async Task Close_returns_at_once_when_everything_is_delivered_and_connections_went_idle_after_a_broker_bounce()
    {
        using var kafka = StartKafka(out var topic);
        var producer = Producers.Strings(kafka.BootstrapServers, ("reconnect.backoff.ms", "50"), ("reconnect.backoff.max.ms", "100"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "before")).WaitAsync(TimeSpan.FromSeconds(10));
        // The connection drops, backs off, and with nothing to send goes idle: it must still answer the close.
        kafka.SetBrokerDown(1);
        await Task.Delay(1000);
        kafka.SetBrokerUp(1);
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "after")).WaitAsync(TimeSpan.FromSeconds(10));
        kafka.SetBrokerDown(1);
        await Task.Delay(1000);

        var clock = Stopwatch.StartNew();
        producer.Close(TimeSpan.FromSeconds(20));
        clock.Stop();
        output.WriteLine($"Close(20 s) took {clock.ElapsedMilliseconds} ms");

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, Margin + Margin);
    }

    [Fact]
    public async Task Close_with_batches_in_flight_returns_within_its_timeout_and_gives_their_buffers_back()
    {
        using var kafka = StartKafka(out var topic);
        var producer = Producers.Strings(kafka.BootstrapServers, Options(("linger.ms", "0")));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "before")).WaitAsync(TimeSpan.FromSeconds(10));
        kafka.SetBrokerRtt(-1, 5000); // the broker takes the batches but answers only after the close timeout

        var tasks = Enumerable.Range(0, 50).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, $"k{i % 5}", $"v{i}"))).ToList();
        await Poll.Until(() => producer.MetricValues()["request-total"] >= 2, TimeSpan.FromSeconds(5), "a Produce request in flight");
        var callbacks = new int[20];
        for (var i = 0; i < 20; i++)
        {
            var n = i;
            producer.Send(new ProducerRecord<string?, string?>(topic, $"c{i}", $"v{i}"), (_, _) => Interlocked.Increment(ref callbacks[n]));
        }
        var clock = Stopwatch.StartNew();
        await producer.CloseAsync(TimeSpan.FromMilliseconds(500));
        clock.Stop();
        output.WriteLine($"Close(500 ms) took {clock.ElapsedMilliseconds} ms");

        AssertClosedOutcomes(tasks, callbacks);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromMilliseconds(500) + Margin);
        Assert.Equal(BufferMemory, producer.MetricValues()["buffer-available-bytes"]);
    }

    private static void AssertClosedOutcomes(List<Task<RecordMetadata>> tasks, int[] callbacks)
    {
        // When Close returns, every record already has its outcome: nothing is left to wait for.
        Assert.All(tasks, t =>
        {
            Assert.True(t.IsCompleted, "a record had no outcome when Close returned");
            Assert.IsType<ProducerClosedException>(t.Exception?.GetBaseException());
        });
        Assert.All(callbacks, c => Assert.Equal(1, Volatile.Read(ref c)));
    }

    private static (string, string)[] Options(params (string, string)[] more) =>
    [
        ("buffer.memory", BufferMemory.ToString()), ("batch.size", "16384"),
        ("reconnect.backoff.ms", "20"), ("reconnect.backoff.max.ms", "200"), ("retry.backoff.ms", "20"), ("retry.backoff.max.ms", "200"),
        .. more,
    ];

    private static EmbeddedKafka StartKafka(out string topic)
    {
        LibRdKafka.EnsureLoaded();
        var kafka = EmbeddedKafka.Start(1);
        topic = Topics.Unique("close");
        kafka.CreateTopic(topic, 3);
        return kafka;
    }
}
