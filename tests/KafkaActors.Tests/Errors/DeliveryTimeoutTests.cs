using System.Diagnostics;
using KafkaActors.Errors;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Errors;

/// <summary>A broker that stops answering: records expire after delivery.timeout.ms; a forced close fails what is left.</summary>
public sealed class DeliveryTimeoutTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    private const int Leader = 1;

    [Fact]
    public async Task Records_for_a_down_broker_fail_with_KafkaTimeoutException_after_delivery_timeout_and_later_ones_get_through()
    {
        var topic = fixture.CreateTopic("delivery-timeout", 1);
        await using var producer = Producers.Strings(fixture.Bootstrap,
            ("delivery.timeout.ms", "1500"), ("request.timeout.ms", "1000"), ("linger.ms", "5"),
            ("reconnect.backoff.ms", "20"), ("reconnect.backoff.max.ms", "200"), ("retry.backoff.ms", "20"), ("retry.backoff.max.ms", "200"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "before")).WaitAsync(TimeSpan.FromSeconds(10));

        var clock = Stopwatch.StartNew();
        fixture.Kafka.SetBrokerDown(Leader);
        Task<RecordMetadata>[] lost;
        try
        {
            lost = Enumerable.Range(0, 5).Select(i => Sync.MustNotThrow(() => producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", $"lost-{i}")))).ToArray();
            foreach (var task in lost)
            {
                var error = await Assert.ThrowsAsync<KafkaTimeoutException>(() => task.WaitAsync(TimeSpan.FromSeconds(10)));
                output.WriteLine(error.Message);
            }
            clock.Stop();
        }
        finally
        {
            fixture.Kafka.SetBrokerUp(Leader);
        }
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(1300), TimeSpan.FromSeconds(5));

        var after = await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "after")).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(after.HasOffset);
        Assert.Equal(["before", "after"], fixture.ReadAll(topic).Select(r => Text(r.Value)));
    }

    [Fact]
    public async Task Close_with_a_short_timeout_fails_unsent_records_with_ProducerClosedException()
    {
        var topic = fixture.CreateTopic("close-forced", 1);
        var producer = Producers.Strings(fixture.Bootstrap, ("reconnect.backoff.ms", "20"), ("reconnect.backoff.max.ms", "200"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "before")).WaitAsync(TimeSpan.FromSeconds(10));

        fixture.Kafka.SetBrokerDown(Leader);
        Task<RecordMetadata>[] pending;
        try
        {
            pending = Enumerable.Range(0, 5).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", $"unsent-{i}"))).ToArray();
            var clock = Stopwatch.StartNew();
            await producer.CloseAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(TimeSpan.FromSeconds(20));
            output.WriteLine($"close took {clock.Elapsed}");
            foreach (var task in pending)
            {
                var error = await Assert.ThrowsAsync<ProducerClosedException>(() => task.WaitAsync(TimeSpan.FromSeconds(1)));
                output.WriteLine(error.Message);
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"close took {clock.Elapsed}");
        }
        finally
        {
            fixture.Kafka.SetBrokerUp(Leader);
        }
        Assert.Equal(["before"], fixture.ReadAll(topic).Select(r => Text(r.Value)));
    }
}
