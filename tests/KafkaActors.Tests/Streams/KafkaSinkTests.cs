using Akka.Streams.Dsl;
using KafkaActors.Streams;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Streams;

/// <summary>KafkaSink: its task completes only once every record it took is acknowledged.</summary>
public sealed class KafkaSinkTests(KafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<KafkaFixture>
{
    private const int Partitions = 4;
    private static readonly long BaseTimestamp = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();

    [Fact]
    public async Task Twenty_thousand_keyed_records_are_all_in_the_topic_when_the_sink_task_completes()
    {
        const int count = 20_000;
        var topic = fixture.CreateTopic("sink", Partitions);
        var records = KeyedWorkload.Build(topic, count, keys: 100, seed: 7, BaseTimestamp);
        await using var producer = new KafkaProducer<string?, string?>(Producers.Settings(fixture.Bootstrap), system: Sys);

        await Source.From(records).RunWith(KafkaSink.Create(producer), Sys).WaitAsync(TimeSpan.FromSeconds(60));

        // Completed means acknowledged: no flush, no close, and the broker already holds everything.
        Assert.Equal(count, producer.MetricValues()["record-send-total"]);
        var found = fixture.ReadAll(topic);
        Assert.Equal(count, found.Count);
        DenseOffsets(found);

        var sentByValue = records.ToDictionary(r => r.Value!);
        var duplicates = found.GroupBy(r => Text(r.Value)).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToList();
        Assert.True(duplicates.Count == 0, "duplicates: " + string.Join(", ", duplicates));
        foreach (var record in found)
        {
            Assert.True(sentByValue.TryGetValue(Text(record.Value)!, out var sent), $"unexpected record {Text(record.Value)}");
            Same(sent!, record);
            Assert.Equal(Murmur2Partition(Utf8(sent!.Key)!, Partitions), record.Partition);
        }

        // Per key: one partition, sequence numbers 0, 1, 2, ... in offset order.
        foreach (var key in found.GroupBy(r => Text(r.Key)!))
        {
            var inOrder = key.OrderBy(r => r.Offset).Select(r => KeyedWorkload.Parse(Text(r.Value)!).Seq).ToList();
            Assert.Single(key.Select(r => r.Partition).Distinct());
            Assert.Equal(Enumerable.Range(0, inOrder.Count), inOrder);
        }
    }
}
