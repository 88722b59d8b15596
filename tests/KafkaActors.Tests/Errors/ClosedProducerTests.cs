using KafkaActors.Errors;
using KafkaActors.Tests.Support;
using Xunit;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Errors;

public sealed class ClosedProducerTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task Send_and_SendAsync_throw_ProducerClosedException_after_close_and_records_sent_before_are_kept()
    {
        var topic = fixture.CreateTopic("closed", 2);
        var producer = Producers.Strings(fixture.Bootstrap, ("linger.ms", "50"));
        var before = Enumerable.Range(0, 20).Select(i => new ProducerRecord<string?, string?>(topic, $"k{i}", $"before-{i}")).ToList();
        var tasks = before.Select(r => producer.SendAsync(r)).ToArray();
        producer.Close(TimeSpan.FromSeconds(10));

        // Close waits for what was buffered: those records completed successfully.
        Assert.All(tasks, t => Assert.True(t.IsCompletedSuccessfully, $"{t.Status}: {t.Exception?.GetBaseException().Message}"));

        var after = new ProducerRecord<string?, string?>(topic, "k", "after-close");
        Assert.Throws<ProducerClosedException>(() => { _ = producer.SendAsync(after); });
        var callbackRan = false;
        Assert.Throws<ProducerClosedException>(() => producer.Send(after, (_, _) => callbackRan = true));
        Assert.False(callbackRan);
        Assert.Throws<ProducerClosedException>(() => producer.PartitionsFor(topic));

        // Closing twice is harmless.
        await producer.CloseAsync(TimeSpan.FromSeconds(1));
        producer.Dispose();

        var found = fixture.ReadAll(topic);
        Assert.Equal(before.Select(r => r.Value).Order(), found.Select(r => Text(r.Value)).Order());
    }
}
