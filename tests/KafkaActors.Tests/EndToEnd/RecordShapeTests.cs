using KafkaActors.Tests.Support;
using Xunit;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>Records of unusual shape: bigger than a batch, timestamps out of order, compressed, many headers.</summary>
public sealed class RecordShapeTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private async Task<RecordMetadata[]> SendAll<TK, TV>(KafkaProducer<TK, TV> producer, IEnumerable<ProducerRecord<TK, TV>> records)
    {
        await using (producer)
        {
            return await Task.WhenAll(records.Select(r => producer.SendAsync(r))).WaitAsync(Wait);
        }
    }

    private void VerifyAll(string topic, IReadOnlyList<ProducerRecord<byte[]?, byte[]?>> records, RecordMetadata[] metadata)
    {
        var found = fixture.ReadAll(topic);
        Assert.Equal(records.Count, found.Count);
        var byPosition = ByPosition(found);
        for (var i = 0; i < records.Count; i++) Same(records[i], At(byPosition, metadata[i]), k => k, v => v);
    }

    [Fact]
    public async Task Records_larger_than_batch_size_mixed_with_small_ones_are_read_back()
    {
        var topic = fixture.CreateTopic("shape-big", 2);
        var random = new Random(11);
        var sizes = new[] { 10, 16_000, 16_384, 20_000, 100, 300_000, 5, 1_000_000, 70_000, 1 };
        var records = sizes.Select((size, i) =>
        {
            var value = new byte[size];
            random.NextBytes(value);
            return new ProducerRecord<byte[]?, byte[]?>(topic, i % 2, 1_700_000_000_000 + i, [(byte)i], value);
        }).ToList();

        var metadata = await SendAll(Producers.Bytes(fixture.Bootstrap, ("max.request.size", "2000000")), records);
        VerifyAll(topic, records, metadata);
    }

    [Fact]
    public async Task Timestamps_out_of_order_within_a_batch_are_kept_per_record()
    {
        var topic = fixture.CreateTopic("shape-timestamps", 1);
        var random = new Random(12);
        var baseTime = 1_700_000_000_000L;
        var timestamps = new List<long> { baseTime, baseTime - 86_400_000, 0, baseTime + 1, long.MaxValue / 2, baseTime - 1, 1 };
        timestamps.AddRange(Enumerable.Range(0, 200).Select(_ => baseTime + random.Next(-10_000_000, 10_000_000)));
        var records = timestamps.Select((t, i) => new ProducerRecord<byte[]?, byte[]?>(topic, null, t, null, BitConverter.GetBytes(i))).ToList();

        // A long linger so that they share batches.
        var metadata = await SendAll(Producers.Bytes(fixture.Bootstrap, ("linger.ms", "50")), records);
        VerifyAll(topic, records, metadata);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Compressed_batches_are_read_back(string codec)
    {
        var topic = fixture.CreateTopic($"shape-{codec}", 3);
        var records = KeyedWorkload.Build(topic, 2000, keys: 50, seed: 13, baseTimestamp: 1_700_000_000_000);
        // Something compressible and something not.
        var random = new Random(14);
        var noise = new byte[30_000];
        random.NextBytes(noise);
        records.Add(new ProducerRecord<string?, string?>(topic, null, 1_700_000_009_999, "noise", Convert.ToBase64String(noise)));

        RecordMetadata[] metadata;
        await using (var producer = Producers.Strings(fixture.Bootstrap, ("compression.type", codec), ("linger.ms", "20")))
        {
            metadata = await Task.WhenAll(records.Select(r => producer.SendAsync(r))).WaitAsync(Wait);
        }

        var found = fixture.ReadAll(topic);
        Assert.Equal(records.Count, found.Count);
        var byPosition = ByPosition(found);
        for (var i = 0; i < records.Count; i++)
        {
            var record = At(byPosition, metadata[i]);
            Same(records[i], record);
            Assert.Equal(Murmur2Partition(Utf8(records[i].Key)!, 3), record.Partition);
        }
    }

    [Fact]
    public async Task Many_and_large_headers_are_kept_in_order()
    {
        var topic = fixture.CreateTopic("shape-headers", 1);
        var headers = new Headers();
        for (var i = 0; i < 200; i++) headers.Add(i % 10 == 0 ? "repeated" : $"h{i}", i % 17 == 0 ? null : new byte[i * 10]);
        headers.Add("ümlaut-key €", "ümlaut-value €");
        headers.Add("big", new byte[50_000]);
        var records = new List<ProducerRecord<byte[]?, byte[]?>>
        {
            new(topic, null, 1_700_000_000_000, [1], [1], headers),
            new(topic, null, 1_700_000_000_001, null, null, new Headers()),
            new(topic, null, 1_700_000_000_002, [2], [2], new Headers().Add("only", (byte[]?)null)),
        };
        var metadata = await SendAll(Producers.Bytes(fixture.Bootstrap), records);
        VerifyAll(topic, records, metadata);
    }

    [Fact]
    public async Task A_topic_the_broker_auto_creates_receives_the_records()
    {
        var topic = Topics.Unique("shape-autocreate");
        var records = Enumerable.Range(0, 100).Select(i => new ProducerRecord<byte[]?, byte[]?>(topic, null, 1_700_000_000_000 + i, [(byte)i], [(byte)i])).ToList();
        var metadata = await SendAll(Producers.Bytes(fixture.Bootstrap), records);
        VerifyAll(topic, records, metadata);
        // The mock auto-creates with 4 partitions; keys follow murmur2 over them.
        Assert.All(records.Zip(metadata), x => Assert.Equal(Murmur2Partition(x.First.Key!, 4), x.Second.Partition));
    }

    [Fact]
    public async Task A_topic_name_of_249_characters_is_legal_and_250_is_not()
    {
        var longest = ("t" + Guid.NewGuid().ToString("N")).PadRight(249, 'x');
        fixture.Kafka.CreateTopic(longest, 1);
        await using var producer = Producers.Strings(fixture.Bootstrap);
        var metadata = await producer.SendAsync(new ProducerRecord<string?, string?>(longest, "k", "v")).WaitAsync(Wait);
        Assert.Equal(0, metadata.Offset);
        await Assert.ThrowsAsync<KafkaActors.Errors.InvalidTopicException>(() =>
            producer.SendAsync(new ProducerRecord<string?, string?>(longest + "y", "k", "v")));
        Assert.Equal("v", Text(Assert.Single(fixture.ReadAll(longest)).Value));
    }
}
