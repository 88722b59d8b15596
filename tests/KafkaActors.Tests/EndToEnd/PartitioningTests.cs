using System.Text;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using CK = Confluent.Kafka;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>Keyed records land where Java's (and librdkafka's murmur2_random) partitioner puts them.</summary>
public sealed class PartitioningTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    [Theory]
    [InlineData(7)]
    [InlineData(16)]
    public async Task Every_key_lands_on_the_same_partition_as_with_confluents_murmur2_random(int partitions)
    {
        var keys = Keys().DistinctBy(Convert.ToHexString).ToList();
        var theirs = fixture.CreateTopic("partition-confluent", partitions);
        var ours = fixture.CreateTopic("partition-ours", partitions);

        LibRdKafka.EnsureLoaded();
        using (var confluent = new CK.ProducerBuilder<byte[], byte[]>(new CK.ProducerConfig
               {
                   BootstrapServers = fixture.Bootstrap,
                   Partitioner = CK.Partitioner.Murmur2Random,
                   LingerMs = 5,
                   LogConnectionClose = false,
               })
               .SetLogHandler((_, _) => { })
               .Build())
        {
            await Task.WhenAll(keys.Select(k => confluent.ProduceAsync(theirs, new CK.Message<byte[], byte[]> { Key = k, Value = k })))
                .WaitAsync(TimeSpan.FromSeconds(30));
        }

        await using (var producer = Producers.Bytes(fixture.Bootstrap))
        {
            await Task.WhenAll(keys.Select(k => producer.SendAsync(new ProducerRecord<byte[]?, byte[]?>(ours, k, k))))
                .WaitAsync(TimeSpan.FromSeconds(30));
        }

        var expected = fixture.ReadAll(theirs).ToDictionary(r => Convert.ToHexString(r.Value!), r => r.Partition);
        var actual = fixture.ReadAll(ours).ToDictionary(r => Convert.ToHexString(r.Value!), r => r.Partition);
        Assert.Equal(keys.Count, expected.Count);
        Assert.Equal(keys.Count, actual.Count);
        var mismatches = keys.Select(Convert.ToHexString).Where(k => expected[k] != actual[k])
            .Select(k => $"{k}: confluent {expected[k]}, ours {actual[k]}").Take(10).ToList();
        Assert.True(mismatches.Count == 0, "keys on different partitions: " + string.Join("; ", mismatches));
        // And both agree with the reference implementation in Protocol.
        Assert.All(keys, k => Assert.Equal(Murmur2Partition(k, partitions), actual[Convert.ToHexString(k)]));
        // The keys must actually exercise the partitions.
        Assert.Equal(partitions, actual.Values.Distinct().Count());
    }

    /// <summary>Texts, binary keys of every length 1..64 (all tail lengths of murmur2), high bytes (sign extension).</summary>
    private static IEnumerable<byte[]> Keys()
    {
        for (var i = 0; i < 300; i++) yield return Encoding.UTF8.GetBytes($"user-{i}");
        yield return Encoding.UTF8.GetBytes("ümlaut € 𝄞 日本語");
        var random = new Random(42);
        for (var length = 1; length <= 64; length++)
        {
            for (var n = 0; n < 3; n++)
            {
                var key = new byte[length];
                random.NextBytes(key);
                key[0] = (byte)(length); // distinct
                key[^1] |= 0x80;
                yield return key;
            }
        }
    }

    [Fact]
    public async Task With_partitioner_ignore_keys_keyed_records_are_placed_by_the_sticky_partitioner()
    {
        const int count = 3000;
        var topic = fixture.CreateTopic("partition-ignore-keys", 6);
        var records = Enumerable.Range(0, count)
            .Select(i => new ProducerRecord<string?, string?>(topic, $"key-{i % 30}", $"{i:D6}-{new string('v', 100)}"))
            .ToList();
        await using (var producer = Producers.Strings(fixture.Bootstrap, ("partitioner.ignore.keys", "true"), ("batch.size", "2048")))
        {
            await Task.WhenAll(records.Select(r => producer.SendAsync(r))).WaitAsync(TimeSpan.FromSeconds(30));
        }

        var found = fixture.ReadAll(topic);
        Assert.Equal(count, found.Count);
        Assert.All(found, r => Assert.StartsWith("key-", Text(r.Key)));
        // Murmur2 would keep every key on one partition; sticky placement spreads each over several.
        var spread = found.GroupBy(r => Text(r.Key)).Select(g => g.Select(r => r.Partition).Distinct().Count()).ToList();
        Assert.True(spread.Average() > 2, $"keys on {spread.Average():F1} partitions on average");
        // And in runs of about a batch (18–36 of these records), not a record here and there.
        var bySend = found.OrderBy(r => Text(r.Value)).Select(r => r.Partition).ToList();
        var switches = bySend.Zip(bySend.Skip(1)).Count(p => p.First != p.Second);
        Assert.True(switches < count / 10, $"{switches} partition switches for {count} records: not sticky");
    }

    [Fact]
    public async Task Keyed_records_follow_murmur2_for_a_single_partition_topic_too()
    {
        var topic = fixture.CreateTopic("partition-one", 1);
        await using (var producer = Producers.Strings(fixture.Bootstrap))
        {
            await Task.WhenAll(Enumerable.Range(0, 50).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, $"k{i}", $"v{i}"))));
        }
        var found = fixture.ReadAll(topic);
        Assert.Equal(50, found.Count);
        Assert.All(found, r => Assert.Equal(0, r.Partition));
    }
}
