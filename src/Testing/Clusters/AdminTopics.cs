using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace KafkaActors.Testing.Clusters;

/// <summary>Topic creation through the CreateTopics API, for real brokers (the mock lacks that API).</summary>
internal static class AdminTopics
{
    public static async Task CreateAsync(string bootstrapServers, string topic, int partitions, int replicationFactor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        LibRdKafka.EnsureLoaded();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var brokers = admin.GetMetadata(TimeSpan.FromSeconds(30)).Brokers.Count;
        var spec = new TopicSpecification
        {
            Name = topic,
            NumPartitions = partitions,
            ReplicationFactor = (short)Math.Clamp(replicationFactor, 1, Math.Max(1, brokers)),
        };
        await admin.CreateTopicsAsync([spec]).WaitAsync(cancellationToken).ConfigureAwait(false);
        // CreateTopics returns once the controller accepted it; wait until metadata shows every
        // partition with a leader so the first produce does not race topic propagation.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var t = admin.GetMetadata(topic, TimeSpan.FromSeconds(5)).Topics.SingleOrDefault(m => m.Topic == topic);
            if (t is { Error.IsError: false } && t.Partitions.Count == partitions && t.Partitions.All(p => p.Leader >= 0))
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Topic '{topic}' was created but its {partitions} partitions got no leaders within 30 s.");
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }
}
