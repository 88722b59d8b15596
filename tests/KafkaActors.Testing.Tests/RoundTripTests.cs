using System.Text;
using Confluent.Kafka;
using Xunit;

namespace KafkaActors.Testing.Tests;

public sealed class RoundTripTests
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Records_produced_to_three_brokers_read_back_byte_for_byte_in_partition_order()
    {
        const int count = 2000;
        using var kafka = EmbeddedKafka.Start(brokers: 3);
        var topic = TestClients.Topic("roundtrip");
        kafka.CreateTopic(topic, partitions: 4, replicationFactor: 3);

        var sent = new List<(Message<byte[]?, byte[]?> Message, DeliveryResult<byte[]?, byte[]?> Result)>();
        using (var producer = TestClients.Producer(kafka.BootstrapServers, c => { c.EnableIdempotence = true; c.Acks = Acks.All; }))
        {
            var messages = Enumerable.Range(0, count).Select(MakeMessage).ToArray();
            var results = await Task.WhenAll(messages.Select(m => producer.ProduceAsync(topic, m)));
            sent.AddRange(messages.Zip(results));
        }
        Assert.All(sent, s => Assert.Equal(PersistenceStatus.Persisted, s.Result.Status));

        var records = KafkaReader.ReadAll(kafka.BootstrapServers, topic, ReadTimeout);

        Assert.Equal(count, records.Count);
        var byPosition = records.ToDictionary(r => (r.Partition, r.Offset));
        foreach (var (message, result) in sent)
        {
            var record = byPosition[(result.Partition.Value, result.Offset.Value)];
            Assert.Equal(topic, record.Topic);
            Assert.Equal(message.Key, record.Key);
            Assert.Equal(message.Value, record.Value);
            Assert.Equal(message.Timestamp.UnixTimestampMs, record.Timestamp);
            Assert.Equal(RecordTimestampType.CreateTime, record.TimestampType);
            Assert.Equal(message.Headers.Select(h => h.Key), record.Headers.Select(h => h.Key));
            Assert.Equal(message.Headers.Select(h => (byte[]?)h.GetValueBytes()), record.Headers.Select(h => h.Value));
        }

        // Every partition is dense from 0 and keeps produce order (idempotent producer).
        var partitions = records.GroupBy(r => r.Partition).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(4, partitions.Count);
        foreach (var (_, list) in partitions)
        {
            Assert.Equal(Enumerable.Range(0, list.Count).Select(i => (long)i), list.Select(r => r.Offset));
            var seqs = list.Select(Seq).ToList();
            Assert.Equal(seqs.Order(), seqs);
        }

        // murmur2: equal keys land in one partition.
        foreach (var group in records.Where(r => r.Key is not null).GroupBy(r => Encoding.UTF8.GetString(r.Key!)))
            Assert.Single(group.Select(r => r.Partition).Distinct());

        var watermarks = KafkaReader.GetWatermarks(kafka.BootstrapServers, topic);
        Assert.Equal(4, watermarks.Count);
        Assert.All(watermarks.Values, w => Assert.Equal(0, w.Low));
        Assert.Equal(count, watermarks.Values.Sum(w => w.High));
        Assert.Equal(4, KafkaReader.GetPartitionCount(kafka.BootstrapServers, topic));
    }

    private static Message<byte[]?, byte[]?> MakeMessage(int i)
    {
        var headers = new Headers
        {
            { "seq", BitConverter.GetBytes(i) },
            { "null", null },
            { "empty", [] },
            { "seq", Encoding.UTF8.GetBytes($"again-{i}") }, // duplicate names keep their order
        };
        return new Message<byte[]?, byte[]?>
        {
            Key = i % 97 == 0 ? null : Encoding.UTF8.GetBytes($"key-{i % 50}"),
            Value = i % 211 == 0 ? null : Payload(i),
            Timestamp = new Timestamp(1_700_000_000_000 + i, TimestampType.CreateTime),
            Headers = headers,
        };
    }

    private static byte[] Payload(int i)
    {
        var bytes = new byte[i % 300];
        new Random(i).NextBytes(bytes);
        return bytes;
    }

    private static int Seq(ConsumedRecord r) => BitConverter.ToInt32(r.Headers.First(h => h.Key == "seq").Value!);
}
