using System.Text;
using Confluent.Kafka;
using Xunit;

namespace KafkaActors.Testing.Tests;

public sealed class KafkaReaderTests
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Empty_topic_reads_as_empty_with_zero_watermarks()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("empty", 3);

        Assert.Empty(KafkaReader.ReadAll(kafka.BootstrapServers, "empty", ReadTimeout));
        var watermarks = KafkaReader.GetWatermarks(kafka.BootstrapServers, "empty");
        Assert.Equal([0, 1, 2], watermarks.Keys.Order());
        Assert.All(watermarks.Values, w => Assert.Equal((0L, 0L), w));
    }

    [Fact]
    public void Missing_topic_is_an_error_and_is_not_auto_created()
    {
        using var kafka = EmbeddedKafka.Start();

        Assert.Throws<KafkaException>(() => KafkaReader.GetPartitionCount(kafka.BootstrapServers, "missing", TimeSpan.FromSeconds(5)));
        // Had the lookup auto-created it, this would fail with TOPIC_ALREADY_EXISTS.
        kafka.CreateTopic("missing", 2);
        Assert.Equal(2, KafkaReader.GetPartitionCount(kafka.BootstrapServers, "missing"));
    }

    [Fact]
    public async Task Reading_starts_at_the_log_start_offset()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("trimmed", 1);
        using (var producer = TestClients.Producer(kafka.BootstrapServers, c => c.LingerMs = 0))
        {
            // One batch per record so that records can be deleted individually.
            for (var i = 0; i < 10; i++)
                await producer.ProduceAsync("trimmed", TestClients.Message(null, $"v{i}"));
        }

        kafka.DeleteRecords("trimmed", 0, beforeOffset: 6);

        Assert.Equal((6L, 10L), KafkaReader.GetWatermarks(kafka.BootstrapServers, "trimmed")[0]);
        var records = KafkaReader.ReadAll(kafka.BootstrapServers, "trimmed", ReadTimeout);
        Assert.Equal([6L, 7, 8, 9], records.Select(r => r.Offset));
        Assert.Equal(["v6", "v7", "v8", "v9"], records.Select(r => Encoding.UTF8.GetString(r.Value!)));
        Assert.All(records, r => Assert.Null(r.Key));
    }
}
