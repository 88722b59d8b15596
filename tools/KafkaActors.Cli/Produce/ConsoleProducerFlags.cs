using System.Globalization;
using KafkaActors.Cli.CommandLine;
using KafkaActors.Settings;

namespace KafkaActors.Cli.Produce;

/// <summary>
/// The producer flags of Kafka's <c>ConsoleProducer</c> and the settings they map to, as its <c>producerProps</c>
/// merges them (<c>CommandLineUtils.maybeMergeOptions</c>): a flag given on the command line overrides the same setting
/// from <c>--producer-property</c> or <c>--producer.config</c>; a setting given there is kept; a setting neither names
/// gets the flag's default (so the console producer lingers 1000 ms, waits 1500 ms for a request and retries 3 times,
/// as Kafka's does). <c>--compression-codec</c> without a value means gzip. Stateless.
/// </summary>
internal static class ConsoleProducerFlags
{
    public const string Sync = "--sync";
    public const string CompressionCodec = "--compression-codec";
    private const string GzipCodec = "gzip";

    /// <summary>One flag that sets one producer setting: its name, the setting, Kafka's default, and whether it is an integer.</summary>
    private sealed record Mapping(string Flag, string Setting, string Default, bool IsInteger, string ValueName, string Help);

    private static readonly Mapping[] Mappings =
    [
        new("--request-required-acks", ProducerConfig.Acks, "-1", false, "request required acks",
            "The required acks of the producer requests: sets acks (default -1, i.e. all)."),
        new("--timeout", ProducerConfig.LingerMs, "1000", true, "timeout_ms",
            "The maximum time in ms a record waits in the producer for a fuller batch (with --sync too, as in Kafka): sets linger.ms (default 1000)."),
        new("--batch-size", ProducerConfig.BatchSize, "16384", true, "size",
            "The size in bytes of a batch of messages to one partition: sets batch.size (default 16384)."),
        new("--message-send-max-retries", ProducerConfig.Retries, "3", true, "retries",
            "How often the producer retries a failed send before it gives the message up: sets retries (default 3)."),
        new("--request-timeout-ms", ProducerConfig.RequestTimeoutMs, "1500", true, "request timeout ms",
            "The ack timeout of the producer requests, greater than zero: sets request.timeout.ms (default 1500)."),
        new("--max-block-ms", ProducerConfig.MaxBlockMs, "60000", true, "max block on send",
            "The maximum time the producer blocks in a send (for metadata or buffer memory): sets max.block.ms (default 60000)."),
    ];

    public static IEnumerable<OptionSpec> Options =>
    [
        OptionSpec.Flag(Sync,
            "Send synchronously: each record is acknowledged (or has failed) before the next line is read. " +
            "Records still wait up to linger.ms (--timeout) in the producer."),
        OptionSpec.OptionalValue(CompressionCodec, "compression-codec",
            "The compression codec: none, gzip, snappy, lz4 or zstd; gzip when given without a value. Sets compression.type " +
            "(overriding --producer-property and --producer.config); without this option compression.type is none unless one of those sets it."),
        .. Mappings.Select(m => OptionSpec.Single(m.Flag, m.ValueName, m.Help)),
    ];

    /// <summary>Merges the flags into <paramref name="properties"/> as Kafka's ConsoleProducer does.</summary>
    /// <exception cref="UsageException">A flag's value is not an integer where one is expected.</exception>
    public static void Apply(ParsedArguments arguments, Dictionary<string, string> properties)
    {
        if (arguments.Has(CompressionCodec))
        {
            var codec = arguments.String(CompressionCodec);
            properties[ProducerConfig.CompressionType] = string.IsNullOrEmpty(codec) ? GzipCodec : codec;
        }
        foreach (var mapping in Mappings)
        {
            if (arguments.Has(mapping.Flag))
                properties[mapping.Setting] = mapping.IsInteger
                    ? arguments.Long(mapping.Flag)!.Value.ToString(CultureInfo.InvariantCulture)
                    : arguments.String(mapping.Flag)!;
            else if (!properties.ContainsKey(mapping.Setting))
                properties[mapping.Setting] = mapping.Default;
        }
    }
}
