namespace KafkaActors.Benchmarks.Scale;

/// <summary>
/// What the <c>scale</c> run builds: topics × partitions, producers sharing one ActorSystem, the records of the
/// throughput phase, and where the cluster is (an external <c>kafka-actors broker</c>, or an in-process one). Immutable.
/// </summary>
public sealed record ScaleOptions(int Topics, int Partitions, int Producers, int Records, string? BootstrapServers, string TopicPrefix)
{
    public int TotalPartitions => Topics * Partitions;

    public string Topic(int index) => $"{TopicPrefix}-{index}";

    /// <summary>--topics N --partitions N --producers N --records N --bootstrap-server HOST:PORT --topic-prefix NAME.</summary>
    public static ScaleOptions Parse(string[] args)
    {
        var options = new ScaleOptions(10, 1000, 100, 300_000, null, $"scale-{Environment.ProcessId}");
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--topics" => options with { Topics = int.Parse(value) },
                "--partitions" => options with { Partitions = int.Parse(value) },
                "--producers" => options with { Producers = int.Parse(value) },
                "--records" => options with { Records = int.Parse(value) },
                "--bootstrap-server" => options with { BootstrapServers = value },
                "--topic-prefix" => options with { TopicPrefix = value },
                _ => throw new ArgumentException($"Unknown option {args[i]} (scale takes --topics, --partitions, --producers, --records, --bootstrap-server, --topic-prefix)."),
            };
        }
        if (args.Length % 2 != 0) throw new ArgumentException($"Option {args[^1]} has no value.");
        if (options.BootstrapServers is not null && options.TopicPrefix.StartsWith("scale-" + Environment.ProcessId, StringComparison.Ordinal))
            options = options with { TopicPrefix = "scale" }; // an external broker has them created: kafka-actors broker --topic scale-0:1000 ...
        return options;
    }
}
