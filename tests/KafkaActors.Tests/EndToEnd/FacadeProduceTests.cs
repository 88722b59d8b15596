using System.Collections.Concurrent;
using System.Text;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>The task/callback facade: what is acknowledged is exactly what the topic holds.</summary>
public sealed class FacadeProduceTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    private const int Partitions = 4;
    private const int Count = 10_000;
    private const int Keys = 100;
    private static readonly long BaseTimestamp = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();

    [Fact]
    public async Task SendAsync_keyed_records_with_headers_and_timestamps_are_read_back_exactly()
    {
        var topic = fixture.CreateTopic("facade-async", Partitions);
        var records = KeyedWorkload.Build(topic, Count, Keys, seed: 1, BaseTimestamp);

        RecordMetadata[] metadata;
        await using (var producer = Producers.Strings(fixture.Bootstrap))
        {
            var tasks = records.Select(r => producer.SendAsync(r)).ToArray();
            metadata = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
        }

        VerifyKeyedWorkload(topic, records, metadata);
    }

    [Fact]
    public async Task Send_with_callback_keyed_records_are_read_back_exactly_and_every_callback_ran_by_flush()
    {
        var topic = fixture.CreateTopic("facade-callback", Partitions);
        var records = KeyedWorkload.Build(topic, Count, Keys, seed: 2, BaseTimestamp);
        var metadata = new RecordMetadata[Count];
        var errors = new ConcurrentQueue<Exception>();
        var completed = 0;
        var calls = new int[Count];

        await using (var producer = Producers.Strings(fixture.Bootstrap))
        {
            for (var i = 0; i < Count; i++)
            {
                var index = i;
                producer.Send(records[i], (md, e) =>
                {
                    Interlocked.Increment(ref calls[index]);
                    if (e is not null) errors.Enqueue(e);
                    else metadata[index] = md;
                    Interlocked.Increment(ref completed);
                });
            }
            producer.Flush();
            // Java: flush() returns once every record sent before it is complete, callbacks included.
            Assert.Equal(Count, Volatile.Read(ref completed));
        }

        Assert.Empty(errors);
        Assert.All(calls, c => Assert.Equal(1, c));
        VerifyKeyedWorkload(topic, records, metadata);
    }

    private void VerifyKeyedWorkload(string topic, List<ProducerRecord<string?, string?>> records, RecordMetadata[] metadata)
    {
        var found = fixture.ReadAll(topic);
        Assert.Equal(records.Count, found.Count);
        DenseOffsets(found);

        // No duplicates: every value (key|seq|payload) is unique by construction.
        var byValue = found.GroupBy(r => Text(r.Value)!).ToDictionary(g => g.Key, g => g.ToList());
        var duplicates = byValue.Where(kv => kv.Value.Count > 1).Select(kv => kv.Key).Take(5).ToList();
        Assert.True(duplicates.Count == 0, "duplicates: " + string.Join(", ", duplicates));

        var byPosition = ByPosition(found);
        for (var i = 0; i < records.Count; i++)
        {
            var sent = records[i];
            var record = Assert.Single(byValue[sent.Value!]);
            Same(sent, record);
            Assert.Equal(Murmur2Partition(Utf8(sent.Key)!, Partitions), record.Partition);
            Assert.Equal(topic, metadata[i].Topic);
            Assert.Equal(record.Partition, metadata[i].Partition);
            Assert.Equal(record.Offset, metadata[i].Offset);
            Assert.Same(record, At(byPosition, metadata[i]));
        }

        // Per-key order: within a key (one partition), sequences are 0, 1, 2, … in offset order.
        foreach (var key in found.GroupBy(r => Text(r.Key)))
        {
            var sequences = key.OrderBy(r => r.Offset).Select(r => KeyedWorkload.Parse(Text(r.Value)!).Seq).ToList();
            Assert.Equal(Enumerable.Range(0, sequences.Count), sequences);
        }
    }

    [Fact]
    public async Task Null_keys_are_all_delivered_and_spread_over_partitions_by_the_sticky_partitioner()
    {
        const int count = 3000;
        const int partitions = 6;
        var topic = fixture.CreateTopic("facade-nullkey", partitions);
        var records = Enumerable.Range(0, count)
            .Select(i => new ProducerRecord<string?, string?>(topic, null, BaseTimestamp + i, null, $"{i:D6}-{new string('v', 200)}"))
            .ToList();

        RecordMetadata[] metadata;
        await using (var producer = Producers.Strings(fixture.Bootstrap))
        {
            metadata = await Task.WhenAll(records.Select(r => producer.SendAsync(r))).WaitAsync(TimeSpan.FromSeconds(30));
        }

        var found = fixture.ReadAll(topic);
        Assert.Equal(count, found.Count);
        Assert.Equal(records.Select(r => r.Value).Order(), found.Select(r => Text(r.Value)).Order());
        var byPosition = ByPosition(found);
        for (var i = 0; i < count; i++) Same(records[i], At(byPosition, metadata[i]));

        var used = found.Select(r => r.Partition).Distinct().Count();
        Assert.True(used > 1, $"~600 KB of keyless records all went to one partition");
        // Sticky: a partition is kept for batch.size to twice batch.size bytes (75–150 of these records), not switched per record.
        var switches = metadata.Zip(metadata.Skip(1)).Count(p => p.First.Partition != p.Second.Partition);
        Assert.True(switches < count / 20, $"{switches} partition switches for {count} records: not sticky");
        // Within one partition, keyless records keep send order.
        foreach (var partition in found.GroupBy(r => r.Partition))
        {
            var indexes = partition.Select(r => int.Parse(Text(r.Value)![..6])).ToList();
            Assert.Equal(indexes.Order(), indexes);
        }
    }

    [Fact]
    public async Task Null_and_empty_keys_and_values_are_kept_distinct()
    {
        const int partitions = 3;
        var topic = fixture.CreateTopic("facade-nulls", partitions);
        var records = new List<ProducerRecord<byte[]?, byte[]?>>
        {
            new(topic, null, BaseTimestamp, Bytes("k-null-value"), null),
            new(topic, null, BaseTimestamp + 1, Bytes("k-empty-value"), []),
            new(topic, null, BaseTimestamp + 2, [], Bytes("empty-key")),
            new(topic, null, BaseTimestamp + 3, null, null),
            new(topic, null, BaseTimestamp + 4, null, []),
            new(topic, null, 0, Bytes("k-epoch-zero"), Bytes("timestamp zero")),
            new(topic, null, BaseTimestamp + 6, [0, 0, 0], [0], new Headers().Add("", Array.Empty<byte>()).Add("h", (byte[]?)null)),
        };

        RecordMetadata[] metadata;
        await using (var producer = Producers.Bytes(fixture.Bootstrap))
        {
            metadata = await Task.WhenAll(records.Select(r => producer.SendAsync(r))).WaitAsync(TimeSpan.FromSeconds(30));
        }

        var found = fixture.ReadAll(topic);
        Assert.Equal(records.Count, found.Count);
        var byPosition = ByPosition(found);
        for (var i = 0; i < records.Count; i++)
        {
            var record = At(byPosition, metadata[i]);
            Same(records[i], record, k => k, v => v);
            if (records[i].Key is { } key) Assert.Equal(Murmur2Partition(key, partitions), record.Partition);
            // Java: the serialized sizes, -1 for a null key or value.
            Assert.Equal(records[i].Key?.Length ?? -1, metadata[i].SerializedKeySize);
            Assert.Equal(records[i].Value?.Length ?? -1, metadata[i].SerializedValueSize);
        }
    }

    [Fact]
    public async Task Records_without_a_timestamp_get_the_send_time()
    {
        var topic = fixture.CreateTopic("facade-now", 1);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        RecordMetadata metadata;
        await using (var producer = Producers.Strings(fixture.Bootstrap))
        {
            metadata = await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "v"));
        }
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var record = Assert.Single(fixture.ReadAll(topic));
        Assert.Equal(metadata.Offset, record.Offset);
        Assert.Equal(RecordTimestampType.CreateTime, record.TimestampType);
        Assert.InRange(record.Timestamp, before, after);
    }

    [Fact]
    public async Task Explicit_partitions_override_the_key()
    {
        const int partitions = 5;
        var topic = fixture.CreateTopic("facade-explicit", partitions);
        var records = new List<ProducerRecord<string?, string?>>();
        for (var p = 0; p < partitions; p++)
        for (var i = 0; i < 40; i++)
        {
            // Half of them keyed with a key murmur2 would put elsewhere, half keyless.
            var key = i % 2 == 0 ? KeyHashingElsewhere(p, partitions, i) : null;
            records.Add(new ProducerRecord<string?, string?>(topic, p, BaseTimestamp + i, key, $"p{p}-{i}"));
        }

        RecordMetadata[] metadata;
        await using (var producer = Producers.Strings(fixture.Bootstrap))
        {
            metadata = await Task.WhenAll(records.Select(r => producer.SendAsync(r))).WaitAsync(TimeSpan.FromSeconds(30));
        }

        var found = fixture.ReadAll(topic);
        Assert.Equal(records.Count, found.Count);
        var byPosition = ByPosition(found);
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(records[i].Partition, metadata[i].Partition);
            Same(records[i], At(byPosition, metadata[i]));
        }
        // Per partition, send order.
        foreach (var partition in found.GroupBy(r => r.Partition))
        {
            var indexes = partition.Select(r => int.Parse(Text(r.Value)!.Split('-')[1])).ToList();
            Assert.Equal(Enumerable.Range(0, 40), indexes);
        }
    }

    private static string KeyHashingElsewhere(int partition, int partitions, int salt)
    {
        for (var n = salt; ; n++)
        {
            var key = $"elsewhere-{n}";
            if (Murmur2Partition(Encoding.UTF8.GetBytes(key), partitions) != partition) return key;
        }
    }

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
}
