using KafkaActors.Tests.Support;
using Xunit;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>Three brokers, leaders spread over all of them: every partition's records reach its leader.</summary>
public sealed class MultiBrokerTests(ThreeBrokerKafkaFixture fixture) : IClassFixture<ThreeBrokerKafkaFixture>
{
    private const int Partitions = 6;

    private string CreateSpreadTopic(string prefix)
    {
        var topic = fixture.CreateTopic(prefix, Partitions, replicationFactor: 3);
        for (var p = 0; p < Partitions; p++) fixture.Kafka.SetPartitionLeader(topic, p, p % 3 + 1);
        return topic;
    }

    [Fact]
    public async Task Records_arrive_on_the_right_partitions_whatever_broker_leads_them()
    {
        var topic = CreateSpreadTopic("multi-spread");
        var keyed = KeyedWorkload.Build(topic, 3000, keys: 60, seed: 5, baseTimestamp: 1_650_000_000_000);
        var keyless = Enumerable.Range(0, 600)
            .Select(i => new ProducerRecord<string?, string?>(topic, null, 1_650_000_100_000 + i, null, $"keyless-{i}-{new string('z', 100)}"))
            .ToList();
        var records = keyed.Concat(keyless).ToList();

        RecordMetadata[] metadata;
        await using (var producer = Producers.Strings(fixture.Bootstrap))
        {
            var leaders = producer.PartitionsFor(topic);
            Assert.Equal(Enumerable.Range(0, Partitions), leaders.Select(p => p.Partition));
            Assert.Equal(Enumerable.Range(0, Partitions).Select(p => p % 3 + 1), leaders.Select(p => p.Leader));
            metadata = await Task.WhenAll(records.Select(r => producer.SendAsync(r))).WaitAsync(TimeSpan.FromSeconds(30));
        }

        var found = fixture.ReadAll(topic);
        Assert.Equal(records.Count, found.Count);
        DenseOffsets(found);
        var byPosition = ByPosition(found);
        for (var i = 0; i < records.Count; i++)
        {
            var record = At(byPosition, metadata[i]);
            Same(records[i], record);
            if (records[i].Key is { } key) Assert.Equal(Murmur2Partition(Utf8(key)!, Partitions), record.Partition);
        }
        Assert.Equal(Partitions, found.Where(r => r.Key is not null).Select(r => r.Partition).Distinct().Count());
    }

    [Fact]
    public async Task Moving_every_leader_mid_stream_loses_nothing_and_keeps_key_order()
    {
        var topic = CreateSpreadTopic("multi-move");
        var records = KeyedWorkload.Build(topic, 2000, keys: 40, seed: 6, baseTimestamp: 1_650_000_000_000);

        await using (var producer = Producers.Strings(fixture.Bootstrap, ("retry.backoff.ms", "20"), ("retry.backoff.max.ms", "100")))
        {
            var first = records.Take(1000).Select(r => producer.SendAsync(r)).ToArray();
            await Task.WhenAll(first).WaitAsync(TimeSpan.FromSeconds(30));
            for (var p = 0; p < Partitions; p++) fixture.Kafka.SetPartitionLeader(topic, p, (p + 1) % 3 + 1);
            var second = records.Skip(1000).Select(r => producer.SendAsync(r)).ToArray();
            await Task.WhenAll(second).WaitAsync(TimeSpan.FromSeconds(30));
        }

        var found = fixture.ReadAll(topic);
        Assert.Equal(records.Count, found.Count);
        Assert.Equal(records.Select(r => r.Value).Order(), found.Select(r => Text(r.Value)).Order());
        foreach (var key in found.GroupBy(r => Text(r.Key)))
        {
            var sequences = key.OrderBy(r => r.Offset).Select(r => KeyedWorkload.Parse(Text(r.Value)!).Seq).ToList();
            Assert.Equal(Enumerable.Range(0, sequences.Count), sequences);
        }
    }
}
