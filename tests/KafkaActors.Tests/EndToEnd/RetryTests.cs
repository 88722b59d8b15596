using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>Retriable broker errors are retried: every record once, in order.</summary>
public sealed class RetryTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    [Theory]
    [InlineData((short)6)]  // NOT_LEADER_OR_FOLLOWER
    [InlineData((short)7)]  // REQUEST_TIMED_OUT
    [InlineData((short)19)] // NOT_ENOUGH_REPLICAS
    [InlineData(KafkaErrorCodes.Transport)] // connection closed by the broker
    public async Task Retriable_produce_errors_are_retried_and_every_record_is_written_once_in_order(short error)
    {
        var topic = fixture.CreateTopic($"retry-{(ushort)error}", 1);
        await using var producer = Producers.Strings(fixture.Bootstrap, ("retry.backoff.ms", "20"), ("retry.backoff.max.ms", "100"),
            ("reconnect.backoff.ms", "20"), ("reconnect.backoff.max.ms", "100"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "000")).WaitAsync(TimeSpan.FromSeconds(10));

        fixture.Kafka.PushRequestErrors(ApiKeys.Produce, error, error);
        var sends = Enumerable.Range(1, 200).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", $"{i:D3}"))).ToArray();
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(20));

        var values = fixture.ReadAll(topic).Select(r => Text(r.Value)).ToList();
        Assert.Equal(Enumerable.Range(0, 201).Select(i => $"{i:D3}"), values);
        Assert.True(producer.MetricValues()["record-retry-total"] > 0, "no retry was counted");
    }
}
