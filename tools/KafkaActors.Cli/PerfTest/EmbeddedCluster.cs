using KafkaActors.Testing;

namespace KafkaActors.Cli.PerfTest;

/// <summary>The in-process cluster the perf test starts when no bootstrap.servers is given, so it runs on a bare machine.</summary>
internal static class EmbeddedCluster
{
    public const int Brokers = 3;
    public const int Partitions = 8;
    public const int ReplicationFactor = 1;

    /// <summary>Starts the brokers, creates <paramref name="topic"/> and says so on <paramref name="log"/>.</summary>
    public static EmbeddedKafka Start(string topic, TextWriter log)
    {
        var kafka = EmbeddedKafka.Start(Brokers);
        try
        {
            kafka.CreateTopic(topic, Partitions, ReplicationFactor);
        }
        catch
        {
            kafka.Dispose();
            throw;
        }
        log.WriteLine($"Using embedded Kafka at {kafka.BootstrapServers} ({Brokers} brokers, topic {topic} with {Partitions} partitions)");
        return kafka;
    }
}
