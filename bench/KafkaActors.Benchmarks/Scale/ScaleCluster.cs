using KafkaActors.Testing;

namespace KafkaActors.Benchmarks.Scale;

/// <summary>
/// The cluster of a scale run: an external one (<c>kafka-actors broker</c> in another process, so this process's CPU
/// and memory are the client's alone) or a 3-broker <see cref="EmbeddedKafka"/> in this process (its memory is
/// native, so the managed heap still measures only the client; its CPU counts in this process's). Owns the embedded one.
/// </summary>
public sealed class ScaleCluster : IDisposable
{
    private readonly EmbeddedKafka? _embedded;

    private ScaleCluster(string bootstrapServers, EmbeddedKafka? embedded)
    {
        BootstrapServers = bootstrapServers;
        _embedded = embedded;
    }

    public string BootstrapServers { get; }

    public bool InProcess => _embedded is not null;

    public static ScaleCluster Start(ScaleOptions options)
    {
        if (options.BootstrapServers is { } external) return new ScaleCluster(external, null);
        var embedded = EmbeddedKafka.Start(3);
        for (var t = 0; t < options.Topics; t++) embedded.CreateTopic(options.Topic(t), options.Partitions, 3);
        return new ScaleCluster(embedded.BootstrapServers, embedded);
    }

    /// <summary>High watermarks of every partition of the run's topics, read back from the broker.</summary>
    public long[,] HighWatermarks(ScaleOptions options)
    {
        var marks = new long[options.Topics, options.Partitions];
        for (var t = 0; t < options.Topics; t++)
            foreach (var (partition, (_, high)) in KafkaReader.GetWatermarks(BootstrapServers, options.Topic(t), TimeSpan.FromSeconds(60)))
                marks[t, partition] = high;
        return marks;
    }

    public void Dispose() => _embedded?.Dispose();
}
