using KafkaActors.Cli.CommandLine;
using KafkaActors.Cli.Configuration;
using KafkaActors.Errors;
using KafkaActors.Settings;
using KafkaActors.Testing;

namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// <c>kafka-actors perf-test</c>, like Kafka's <c>kafka-producer-perf-test</c>: sends N records of a given
/// size as fast as allowed and reports throughput and send→ack latency in Kafka's format. Without
/// bootstrap.servers it runs against an embedded cluster.
/// </summary>
internal sealed class PerfTestCommand : ICommand
{
    private const string Topic = "--topic";
    private const string NumRecords = "--num-records";
    private const string RecordSize = "--record-size";
    private const string PayloadFile = "--payload-file";
    private const string PayloadDelimiter = "--payload-delimiter";
    private const string Throughput = "--throughput";
    private const string ProducerProps = "--producer-props";
    private const string ProducerConfigFile = "--producer.config";
    private const string PrintMetrics = "--print-metrics";
    private const string TransactionalId = "--transactional-id";
    private const string TransactionDurationMs = "--transaction-duration-ms";
    private const string WarmupRecords = "--warmup-records";
    private const string ReportingInterval = "--reporting-interval";

    public string Name => "perf-test";

    public string Summary => "Measure producer throughput and latency (like kafka-producer-perf-test).";

    public string Description =>
        "Sends --num-records records to a topic, throttled to --throughput, and prints Kafka's producer-perf-test report: " +
        "a progress line every --reporting-interval ms (default 5 s) and a final line with throughput, average/max latency and percentiles (send to " +
        "acknowledgement). Without bootstrap.servers (in --producer-props or --producer.config) it starts an embedded " +
        $"{EmbeddedCluster.Brokers}-broker Kafka in the process and creates the topic with {EmbeddedCluster.Partitions} partitions; " +
        "against a real cluster the topic must exist or be auto-created. Exit code 1 if any record failed. " +
        $"To send in transactions give {TransactionalId}, {TransactionDurationMs}, or transactional.id in the producer settings: " +
        "a transaction is begun before the first record, committed once it is older than the duration (checked after each send, " +
        "as Kafka's tool does) and at the end; a transaction that does not commit ends the run with one line and exit code 1.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Single(Topic, "topic", "Produce messages to this topic.", required: true),
        OptionSpec.Single(NumRecords, "num-records", "Number of messages to produce.", required: true),
        OptionSpec.Single(RecordSize, "record-size",
            "Message size in bytes (random letters A-Z, generated once). Exactly one of --record-size or --payload-file is required."),
        OptionSpec.Single(PayloadFile, "payload-file",
            "File to read the message payloads from (UTF-8 text); each record gets a payload picked at random. " +
            "Exactly one of --record-size or --payload-file is required."),
        OptionSpec.Single(PayloadDelimiter, "payload-delimiter",
            @"Delimiter between payloads in --payload-file; \n, \r, \t and \\ are unescaped (default: \n)."),
        OptionSpec.Single(Throughput, "throughput",
            "Throttle the message throughput to *approximately* this many messages/sec. Set this to -1 to disable throttling.",
            required: true),
        OptionSpec.OneOrMore(ProducerProps, "prop=value",
            "Producer settings by their Java names, like bootstrap.servers=host:port or acks=1. " +
            "These take precedence over those passed via --producer.config."),
        OptionSpec.Single(ProducerConfigFile, "config-file", "Producer settings in a Java .properties file."),
        OptionSpec.Flag(PrintMetrics, "Print the producer's metrics at the end of the test."),
        OptionSpec.Single(TransactionalId, "transactional-id",
            "The transactional id to use. This takes precedence over transactional.id in --producer.config or --producer-props. " +
            $"If no transactional id is given while {TransactionDurationMs} is, it is {TransactionSettings.DefaultIdPrefix} followed by a random UUID."),
        OptionSpec.Single(TransactionDurationMs, "transaction-duration",
            "The max age of each transaction: CommitTransaction is called after this time has elapsed. Should be greater than 0. " +
            $"If a transactional id is given (by {TransactionalId}, --producer-props or --producer.config) but this is not, " +
            $"it is {TransactionSettings.DefaultDurationMs}."),
        OptionSpec.Single(WarmupRecords, "warmup-records",
            "The number of records to treat as warm-up (default 0): they are left out of the steady-state statistics, which are " +
            "printed as a second summary line (\"N steady state records sent, ...\") after the whole test's. Must be fewer than --num-records."),
        OptionSpec.Single(ReportingInterval, "interval-ms",
            $"Interval in milliseconds at which to print progress info (default {PerfStats.DefaultReportingIntervalMs})."),
    ];

    public string Epilog => """
        Examples:
          kafka-actors perf-test --topic perf --num-records 1000000 --record-size 100 --throughput -1
          kafka-actors perf-test --topic perf --num-records 100000 --record-size 1000 --throughput 20000 \
              --producer-props bootstrap.servers=localhost:9092 acks=1 linger.ms=10 --print-metrics
          kafka-actors perf-test --topic perf --num-records 1000000 --record-size 100 --throughput -1 \
              --transactional-id perf-tx --transaction-duration-ms 100
        """;

    public int Run(ParsedArguments arguments)
    {
        var topic = arguments.RequiredString(Topic);
        var numRecords = arguments.Long(NumRecords)!.Value;
        if (numRecords <= 0) throw new UsageException($"{NumRecords} should be greater than zero.");
        var throughput = arguments.Double(Throughput)!.Value;
        if (throughput == 0) throw new UsageException($"{Throughput} should be positive, or -1 to disable throttling.");
        // Kafka: a negative warm-up is none; one that leaves no steady state is an error.
        var warmupRecords = Math.Max(arguments.Long(WarmupRecords) ?? 0, 0);
        if (warmupRecords >= numRecords)
            throw new UsageException($"The value for {WarmupRecords} must be strictly fewer than the number of records in the test, {NumRecords}.");
        var reportingIntervalMs = arguments.Long(ReportingInterval) ?? PerfStats.DefaultReportingIntervalMs;
        if (reportingIntervalMs <= 0) throw new UsageException($"{ReportingInterval} should be greater than zero.");
        var payloads = ReadPayloads(arguments, topic);

        var properties = ProducerProperties.Merge(arguments.String(ProducerConfigFile),
            KeyValue.ParseAll(arguments.All(ProducerProps), ProducerProps));
        ProducerProperties.SetDefault(properties, ProducerConfig.ClientId, "perf-producer-client");
        var transactionDurationMs = TransactionSettings.Apply(arguments.String(TransactionalId),
            arguments.Long(TransactionDurationMs), TransactionDurationMs, properties);
        var embedded = !ProducerProperties.HasBootstrapServers(properties);
        // Validate everything before starting anything; the embedded cluster's address is filled in below.
        if (embedded) properties[ProducerConfig.BootstrapServers] = "localhost:9092";
        var settings = ProducerSettings.FromProperties(properties);

        EmbeddedKafka? kafka = null;
        try
        {
            if (embedded)
            {
                kafka = EmbeddedCluster.Start(topic, Console.Error);
                settings = settings.WithProperty(ProducerConfig.BootstrapServers, kafka.BootstrapServers);
            }
            return new PerfRun(settings, topic, numRecords, throughput, payloads, arguments.Has(PrintMetrics), transactionDurationMs,
                warmupRecords, reportingIntervalMs).Execute();
        }
        finally
        {
            kafka?.Dispose();
        }
    }

    private static Payloads ReadPayloads(ParsedArguments arguments, string topic)
    {
        var size = arguments.Int(RecordSize);
        var file = arguments.String(PayloadFile);
        if (size is null == file is null)
            throw new UsageException($"Either {RecordSize} or {PayloadFile} must be specified but not both.");
        if (size is { } bytes)
        {
            if (bytes <= 0) throw new UsageException($"{RecordSize} should be greater than zero.");
            return Payloads.Random(topic, bytes);
        }
        return Payloads.FromFile(topic, file!, arguments.String(PayloadDelimiter) ?? @"\n", Console.Out);
    }
}
