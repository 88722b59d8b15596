using System.Text;
using KafkaActors.Cli.CommandLine;
using KafkaActors.Cli.Configuration;
using KafkaActors.Cli.Logging;
using KafkaActors.Errors;
using KafkaActors.Settings;

namespace KafkaActors.Cli.Produce;

/// <summary>
/// <c>kafka-actors produce</c>, like Kafka's <c>kafka-console-producer</c>: one record per line of standard
/// input (UTF-8 strings), every record acknowledged before exit. Exit code 0 only when all were.
/// </summary>
internal sealed class ProduceCommand : ICommand
{
    private const string BootstrapServer = "--bootstrap-server";
    private const string Topic = "--topic";
    private const string Property = "--property";
    private const string ProducerProperty = "--producer-property";
    private const string ProducerConfigFile = "--producer.config";
    private const string TransactionalId = "--transactional-id";
    private const string TransactionRecords = "--transaction-records";
    private const int DefaultTransactionRecords = 1000;

    public string Name => "produce";

    public string Summary => "Send lines of standard input as records (like kafka-console-producer).";

    public string Description =>
        "Reads standard input line by line and sends each line as one record (UTF-8 string key and value, optionally headers) to the topic. " +
        "All records are acknowledged before it exits; exit code 0 means every record was, otherwise each failure is printed " +
        "to stderr and the exit code is 1. An authentication or TLS failure stops it at once with one line naming the failure. " +
        $"With {TransactionalId} the records are sent in transactions of {TransactionRecords} records (the last one holds the rest " +
        "of the input); exit code 0 means every transaction committed, otherwise each one that did not is printed as one line " +
        "(its input lines and the error) and aborted, and the exit code is 1. The producer flags below (--sync to --max-block-ms) are " +
        "Kafka's console producer's: each overrides the same setting from --producer-property or --producer.config, and a setting " +
        "none of them gives takes the flag's default, as in Kafka (so records linger 1000 ms unless --timeout says otherwise).";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Single(BootstrapServer, "server to connect to",
            "The server(s) to connect to: host:port[,host:port...]. Required unless bootstrap.servers is set in " +
            "--producer.config or --producer-property; this option overrides them."),
        OptionSpec.Single(Topic, "topic", "The topic to produce messages to.", required: true),
        OptionSpec.Repeated(Property, "prop=value",
            "A property of the line reader, repeatable: parse.key=true|false (default false: the whole line is the value), " +
            "key.separator=<sep> (default tab), parse.headers=true|false (default false: no headers), headers.delimiter=<sep> " +
            "(between the header list and the key, default tab), headers.separator=<regex> (between headers, default ','), " +
            "headers.key.separator=<sep> (between a header's key and value, default ':'), null.marker=<text> (a key, value, " +
            "header value or header list equal to it is null; default none), ignore.error=true|false (default false: stop at " +
            "the first line without a separator or the first failed record; true: such a part is left out (null key, no headers, " +
            "a header with a null value) and the run goes on after failures). Lines read \"h1:v1,h2:v2<tab>key<tab>value\" with " +
            "parse.headers and parse.key, \"h1:v1<tab>value\" with parse.headers alone."),
        OptionSpec.Repeated(ProducerProperty, "prop=value",
            "A producer setting by its Java name (acks, linger.ms, compression.type, security.protocol, ssl.*, sasl.*, ...), " +
            "repeatable. Overrides --producer.config."),
        OptionSpec.Single(ProducerConfigFile, "config file",
            "Producer settings in a Java .properties file, e.g. a client.properties with the TLS and SASL settings."),
        OptionSpec.Single(TransactionalId, "transactional id",
            "Send in transactions with this transactional.id (overrides transactional.id in --producer.config or " +
            "--producer-property; setting it there alone also turns transactions on). Without ignore.error the first transaction " +
            "that does not commit stops the input; with ignore.error=true the next transactions go on."),
        OptionSpec.Single(TransactionRecords, "records",
            $"With transactions: commit after this many records (default {DefaultTransactionRecords}) and at the end of the input."),
        .. ConsoleProducerFlags.Options,
    ];

    public string Epilog => """
        Examples:
          printf 'k1\tv1\nk2\tv2\n' | kafka-actors produce --bootstrap-server localhost:9092 --topic t --property parse.key=true
          printf 'trace:1,src:a\tk1\tv1\n' | kafka-actors produce --bootstrap-server localhost:9092 --topic t \
              --property parse.headers=true --property parse.key=true --compression-codec lz4 --sync --timeout 0
          kafka-actors produce --topic t --producer.config client.properties < lines.txt
          kafka-actors produce --bootstrap-server localhost:9092 --topic t --transactional-id loader-1 --transaction-records 500 < lines.txt
        """;

    public int Run(ParsedArguments arguments)
    {
        var topic = arguments.RequiredString(Topic);
        var reader = LineReaderProperties.From(arguments.All(Property), Property);
        var properties = ProducerProperties.Merge(arguments.String(ProducerConfigFile),
            KeyValue.ParseAll(arguments.All(ProducerProperty), ProducerProperty));
        ConsoleProducerFlags.Apply(arguments, properties);
        if (arguments.String(BootstrapServer) is { } servers) properties[ProducerConfig.BootstrapServers] = servers;
        else if (!ProducerProperties.HasBootstrapServers(properties))
            throw new UsageException($"Missing required option {BootstrapServer} (or bootstrap.servers in {ProducerConfigFile} or {ProducerProperty}).");
        ProducerProperties.SetDefault(properties, ProducerConfig.ClientId, "console-producer");
        var recordsPerTransaction = TransactionSize(arguments, properties);
        var settings = ProducerSettings.FromProperties(properties);

        // In transactions a failed record fails its transaction, which is reported once, as one line.
        var tracker = new DeliveryTracker(settings.IsTransactional ? TextWriter.Null : Console.Error);
        var parser = new LineParser(reader);
        string? inputError = null;
        TransactionCommitter? transactions = null;
        using (var system = new ToolActorSystem())
        {
            var producer = new KafkaProducer<string?, string?>(settings, system: system.System);
            try
            {
                if (settings.IsTransactional)
                {
                    transactions = new TransactionCommitter(producer, recordsPerTransaction, tracker, Console.Error);
                    transactions.Init();
                }
                using var input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
                inputError = SendLines(input, topic, parser, reader.IgnoreError, arguments.Has(ConsoleProducerFlags.Sync), producer, tracker, transactions);
            }
            finally
            {
                if (!settings.IsTransactional) producer.Flush();
                producer.Close(TimeSpan.FromMilliseconds(settings.DeliveryTimeoutMs));
            }
        }

        if (tracker.EndedBy is { } fatal)
        {
            // One line: the records it failed, and whatever stopped the input after it, are consequences.
            Console.Error.WriteLine(ErrorLine.For(fatal));
            return 1;
        }
        if (inputError is not null) Console.Error.WriteLine(inputError);
        if (transactions is not null)
            return inputError is null && transactions.Failed == 0 && tracker.AllAcknowledged ? 0 : 1;
        if (inputError is null && tracker.AllAcknowledged) return 0;
        if (!tracker.AllAcknowledged)
            Console.Error.WriteLine($"{tracker.Sent - tracker.Acknowledged} of {tracker.Sent} records were not acknowledged.");
        return 1;
    }

    /// <summary>Sets transactional.id from <c>--transactional-id</c>; returns the records per transaction.</summary>
    private static int TransactionSize(ParsedArguments arguments, Dictionary<string, string> properties)
    {
        if (arguments.String(TransactionalId) is { } id)
        {
            if (string.IsNullOrWhiteSpace(id)) throw new UsageException($"{TransactionalId} must not be empty.");
            properties[ProducerConfig.TransactionalId] = id;
        }
        var records = arguments.Int(TransactionRecords) ?? DefaultTransactionRecords;
        if (records <= 0) throw new UsageException($"{TransactionRecords} should be greater than zero.");
        if (arguments.Has(TransactionRecords) && !properties.ContainsKey(ProducerConfig.TransactionalId))
            throw new UsageException($"{TransactionRecords} needs {TransactionalId} (or transactional.id in the producer settings).");
        return records;
    }

    /// <returns>The error that stopped reading early, or null when the input was read to its end.</returns>
    /// <param name="sync">Kafka's <c>--sync</c>: wait for each record's outcome before reading the next line.</param>
    private static string? SendLines(TextReader input, string topic, LineParser parser, bool ignoreError, bool sync,
        KafkaProducer<string?, string?> producer, DeliveryTracker tracker, TransactionCommitter? transactions)
    {
        long lineNumber = 0;
        while (input.ReadLine() is { } line)
        {
            lineNumber++;
            if (tracker.EndedBy is not null) return null;
            // OnFailed sets EndedBy before it counts the failure: with Failed > 0 seen, a null EndedBy means the run goes on.
            if (!ignoreError && tracker.Failed > 0)
            {
                if (transactions is not null)
                {
                    // A record of the open transaction failed: end it now (it fails, one line says why) and stop.
                    transactions.Complete();
                    return null;
                }
                return tracker.EndedBy is null
                    ? $"Stopped reading at line {lineNumber} after a failed record (set --property ignore.error=true to keep going)."
                    : null;
            }
            if (parser.TryParse(line, lineNumber, out var parsed) is { } parseError)
            {
                transactions?.AbortOpen();
                return parseError;
            }

            var (headers, key, value) = parsed;
            var callback = new ErrorLoggingCallback(topic, ByteCount(key), ByteCount(value), tracker);
            transactions?.BeforeSend(lineNumber);
            tracker.OnSend();
            try
            {
                producer.Send(new ProducerRecord<string?, string?>(topic, null, null, key, value, headers), callback);
                if (sync) callback.Completion.Wait();
            }
            catch (KafkaException e)
            {
                // Not a broker's answer but a refusal to send (closed producer, serializer, interrupted wait, failed authentication).
                callback.OnCompletion(new RecordMetadata(topic, -1, RecordMetadata.UnknownOffset, -1, -1, -1), e);
                if (ErrorLine.EndsTheRun(e)) return null;
                if (!ignoreError)
                {
                    transactions?.Complete();
                    return null;
                }
            }
            if (transactions is not null && !transactions.AfterSend() && (!ignoreError || !transactions.CanContinue)) return null;
        }
        if (transactions is not null && tracker.EndedBy is null) transactions.Complete();
        return null;
    }

    private static int? ByteCount(string? text) => text is null ? null : Encoding.UTF8.GetByteCount(text);
}
