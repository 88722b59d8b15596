using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using KafkaActors.Testing.Secure;
using Xunit;

namespace KafkaActors.Testing.Tests.Secure;

/// <summary>Confluent producers configured for a <see cref="SecureEmbeddedKafka"/>, and a produce-then-read-back check.</summary>
internal static class SecureClients
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);

    /// <summary>A producer on <paramref name="config"/>; every error the client reports lands in <paramref name="errors"/>.</summary>
    public static IProducer<byte[]?, byte[]?> Producer(ClientConfig config, Action<ProducerConfig>? configure = null,
        ConcurrentQueue<Error>? errors = null, Action<LogMessage>? log = null)
    {
        LibRdKafka.EnsureLoaded();
        var producerConfig = new ProducerConfig(config.ToDictionary(kv => kv.Key, kv => kv.Value))
        {
            LingerMs = 5,
            MessageTimeoutMs = 15000,
            EnableIdempotence = true,
            Acks = Acks.All,
            ReconnectBackoffMs = 20,
            ReconnectBackoffMaxMs = 200,
            LogConnectionClose = false,
        };
        configure?.Invoke(producerConfig);
        return new ProducerBuilder<byte[]?, byte[]?>(producerConfig)
            .SetKeySerializer(Serializers.ByteArray!)
            .SetValueSerializer(Serializers.ByteArray!)
            .SetErrorHandler((_, e) => errors?.Enqueue(e))
            .SetLogHandler((_, m) => log?.Invoke(m))
            .Build();
    }

    public static Message<byte[]?, byte[]?> Message(int i) => new()
    {
        Key = Encoding.UTF8.GetBytes("key-" + (i % 7)),
        Value = Encoding.UTF8.GetBytes($"value-{i}-" + new string('x', i % 50)),
        Headers = new Headers { { "h", BitConverter.GetBytes(i) } },
    };

    /// <summary>
    /// Produces <paramref name="count"/> records through the front, reads the topic back through the front, and checks that
    /// the log holds exactly those records, byte for byte, each partition in produce order.
    /// </summary>
    public static async Task ProduceAndVerifyAsync(SecureEmbeddedKafka kafka, ClientConfig config, string topic, int count,
        Action<ProducerConfig>? configure = null)
    {
        var messages = Enumerable.Range(0, count).Select(Message).ToArray();
        var errors = new ConcurrentQueue<Error>();
        DeliveryResult<byte[]?, byte[]?>[] results;
        using (var producer = Producer(config, configure, errors))
        {
            results = await Task.WhenAll(messages.Select(m => producer.ProduceAsync(topic, m)));
        }
        Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));

        var records = KafkaReader.ReadAll(config, topic, ReadTimeout);
        Assert.Equal(count, records.Count);
        var byPosition = records.ToDictionary(r => (r.Partition, r.Offset));
        foreach (var (message, result) in messages.Zip(results))
        {
            var record = byPosition[(result.Partition.Value, result.Offset.Value)];
            Assert.Equal(message.Key, record.Key);
            Assert.Equal(message.Value, record.Value);
            Assert.Equal(message.Headers[0].GetValueBytes(), record.Headers.Single().Value);
        }
        // Produce order within each partition: the i in "value-i-" rises with the offset.
        foreach (var partition in records.GroupBy(r => r.Partition))
        {
            var order = partition.OrderBy(r => r.Offset).Select(r => int.Parse(Encoding.UTF8.GetString(r.Value!).Split('-')[1])).ToList();
            Assert.Equal(order.Order(), order);
        }
    }

    /// <summary>Waits until <paramref name="errors"/> holds an error matching <paramref name="match"/>; fails after <paramref name="timeout"/>.</summary>
    public static async Task<Error> WaitForErrorAsync(ConcurrentQueue<Error> errors, Func<Error, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var found = errors.FirstOrDefault(match);
            if (found is not null) return found;
            await Task.Delay(50);
        }
        Assert.Fail("No matching client error within " + timeout + "; saw: " + string.Join(" | ", errors.Select(e => $"{e.Code}: {e.Reason}")));
        return null!;
    }
}
