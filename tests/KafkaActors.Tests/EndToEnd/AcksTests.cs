using KafkaActors.Tests.Support;
using Xunit;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>acks=0, 1, all: every record arrives; with acks=0 the offset is unknown (the mock answers anyway).</summary>
public sealed class AcksTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    private const int Partitions = 3;
    private const int Count = 600;

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("all")]
    [InlineData("-1")]
    public async Task Every_record_is_read_back(string acks)
    {
        var topic = fixture.CreateTopic($"acks-{(acks == "-1" ? "minus1" : acks)}", Partitions);
        var records = KeyedWorkload.Build(topic, Count, keys: 30, seed: 7, baseTimestamp: 1_600_000_000_000);

        RecordMetadata[] metadata;
        await using (var producer = Producers.Strings(fixture.Bootstrap, ("acks", acks)))
        {
            Assert.Equal(acks is "0" ? 0 : acks is "1" ? 1 : -1, producer.Settings.Acks);
            // Idempotence (on by default) needs acks=all; left implicit, it is switched off for 0 and 1.
            Assert.Equal(acks is "all" or "-1", producer.Settings.EnableIdempotence);
            metadata = await Task.WhenAll(records.Select(r => producer.SendAsync(r))).WaitAsync(TimeSpan.FromSeconds(30));
            // acks=0 completes on send: make sure everything left the producer before reading.
            await producer.FlushAsync();
        }

        var found = fixture.ReadAll(topic);
        Assert.Equal(Count, found.Count);
        var byValue = found.ToDictionary(r => Text(r.Value)!);
        var byPosition = ByPosition(found);
        for (var i = 0; i < Count; i++)
        {
            var record = byValue[records[i].Value!];
            Same(records[i], record);
            Assert.Equal(Murmur2Partition(Utf8(records[i].Key)!, Partitions), record.Partition);
            Assert.Equal(topic, metadata[i].Topic);
            Assert.Equal(record.Partition, metadata[i].Partition);
            if (acks == "0")
            {
                Assert.Equal(RecordMetadata.UnknownOffset, metadata[i].Offset);
                Assert.False(metadata[i].HasOffset);
            }
            else
            {
                Assert.Same(record, At(byPosition, metadata[i]));
            }
        }
        foreach (var key in found.GroupBy(r => Text(r.Key)))
        {
            var sequences = key.OrderBy(r => r.Offset).Select(r => KeyedWorkload.Parse(Text(r.Value)!).Seq).ToList();
            Assert.Equal(Enumerable.Range(0, sequences.Count), sequences);
        }
    }

    [Fact]
    public async Task With_acks_0_records_flushed_before_close_are_all_written()
    {
        // Java closes its sockets gracefully: what was written before close() reaches the broker.
        // Repeated because whether the broker has read the last request when the socket goes is a race.
        const int count = 1000;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var topic = fixture.CreateTopic("acks0-close", Partitions);
            await using (var producer = Producers.Strings(fixture.Bootstrap, ("acks", "0")))
            {
                await Task.WhenAll(Enumerable.Range(0, count)
                    .Select(n => producer.SendAsync(new ProducerRecord<string?, string?>(topic, $"k{n % 30}", $"{n:D4}{new string('x', 2000)}"))))
                    .WaitAsync(TimeSpan.FromSeconds(30));
                await producer.FlushAsync();
            }

            // Give the broker time to take in what is still on its way, then count.
            var deadline = DateTime.UtcNow.AddSeconds(2);
            long stored;
            while ((stored = fixture.CountRecords(topic)) < count && DateTime.UtcNow < deadline) await Task.Delay(100);
            if (stored < count)
            {
                var present = fixture.ReadAll(topic).Select(r => int.Parse(Text(r.Value)![..4])).ToHashSet();
                var missing = Enumerable.Range(0, count).Where(n => !present.Contains(n)).ToList();
                Assert.Fail($"attempt {attempt}: {count} records sent and flushed with acks=0, then the producer was closed; " +
                            $"the broker has {stored}. Missing {missing.Count}, indexes {missing.Min()}..{missing.Max()} (the tail).");
            }
        }
    }
}
