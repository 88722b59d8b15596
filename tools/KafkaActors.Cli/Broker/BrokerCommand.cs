using System.Globalization;
using System.Runtime.InteropServices;
using KafkaActors.Cli.CommandLine;
using KafkaActors.Cli.Configuration;
using KafkaActors.Testing;
using KafkaActors.Testing.Secure;

namespace KafkaActors.Cli.Broker;

/// <summary>
/// <c>kafka-actors broker</c>: the embedded cluster as a long-running process, behind the secure front, so
/// demos and other tools' tests get a local (secure) Kafka in one command with no JVM or Docker. Prints
/// <c>bootstrap.servers=...</c> first, then runs fault commands from stdin (<see cref="BrokerFaultCommands"/>) until
/// stdin closes or SIGINT/SIGTERM. With <c>--no-front</c> the mock brokers serve clients directly (the benchmarks' broker
/// process). Runs on the main thread; not reentrant.
/// </summary>
internal sealed class BrokerCommand : ICommand
{
    private const string Brokers = "--brokers";
    private const string Topic = "--topic";
    private const string SecurityProtocolOption = "--security-protocol";
    private const string SaslMechanism = "--sasl-mechanism";
    private const string User = "--user";
    private const string ClientConfig = "--client-config";
    private const string NoEnforceIdempotence = "--no-enforce-idempotence";
    private const string NoFront = "--no-front";
    private const string DefaultUser = "alice";
    private const string DefaultPassword = "alice-secret";

    public string Name => "broker";

    public string Summary => "Run an embedded Kafka cluster (optionally TLS/SASL) until stdin closes or SIGINT/SIGTERM.";

    public string Description =>
        "Starts librdkafka's mock cluster with a front on each broker that terminates TLS and performs SASL " +
        "(PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER with unsecured JWTs), and keeps it running. The first " +
        "line on stdout is exactly bootstrap.servers=<host:port,...>; the rest (what was created, where the CA " +
        "certificate is) goes to stderr. It stops, removing its certificate files, when stdin is closed or on " +
        "SIGINT/SIGTERM, and exits 0. Topics not created with --topic are auto-created with 4 partitions. " +
        "Each line on stdin is a fault command, answered with one stdout line starting with ok or error: " +
        "down ID, up ID (broker down or up again), rtt ID MS (delay its responses), leader TOPIC PARTITION ID (move a leader), " +
        "err APIKEY CODE COUNT (the next COUNT requests of that API key get error CODE), throttle ID MS (its responses carry that " +
        "throttle time), enforce on|off (the idempotence check, on by default: sequences, epochs, duplicates and CRCs as a Kafka " +
        "broker checks them), topic NAME PARTITIONS [RF] (create a topic, replication factor min(3, brokers) by default). " +
        "With --no-front clients talk to the mock brokers directly (PLAINTEXT, no TLS, SASL, idempotence check or throttle): " +
        "what benchmarks use, so the relay costs nothing. " +
        "The certificates are generated at start (a test CA, a server certificate for localhost and 127.0.0.1).";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Single(Brokers, "n", "Number of brokers (default 3)."),
        OptionSpec.Repeated(Topic, "name:partitions", "Create this topic (replication factor min(3, brokers)); repeatable."),
        OptionSpec.Single(SecurityProtocolOption, "protocol", "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (default PLAINTEXT)."),
        OptionSpec.Repeated(SaslMechanism, "mechanism",
            "A SASL mechanism to enable: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER; repeatable (default all four). " +
            "Needs SASL_PLAINTEXT or SASL_SSL."),
        OptionSpec.Repeated(User, "name:password",
            "A user PLAIN and SCRAM accept; OAUTHBEARER accepts its name as the token subject. Repeatable (default " +
            $"{DefaultUser}:{DefaultPassword}); the first one goes into --client-config."),
        OptionSpec.Single(ClientConfig, "file",
            "Write a Java client properties file for the first user and mechanism (bootstrap.servers, security.protocol, " +
            "ssl.truststore.type=PEM and ssl.truststore.location of the CA, sasl.mechanism, sasl.jaas.config) that " +
            "produce --producer.config, perf-test --producer.config and Java clients accept as is. It holds the password: " +
            "it is created readable by its owner only."),
        OptionSpec.Flag(NoEnforceIdempotence,
            "Start with the idempotence check off (librdkafka's mock alone stores idempotent batches unchecked); 'enforce on' turns it on."),
        OptionSpec.Flag(NoFront,
            "No front: bootstrap.servers names the mock brokers themselves (PLAINTEXT only; throttle and enforce answer error)."),
    ];

    public string Epilog => """
        Examples:
          kafka-actors broker --topic orders:8
          kafka-actors broker --security-protocol SASL_SSL --sasl-mechanism SCRAM-SHA-512 --user alice:s3cret --client-config client.properties
          kafka-actors produce --topic orders --producer.config client.properties < lines.txt
          kafka-actors perf-test --topic orders --num-records 100000 --record-size 100 --throughput -1 --producer.config client.properties
          (echo 'topic perf 8'; cat) | kafka-actors broker --no-front
          (echo 'rtt 1 150'; echo 'err 0 6 3'; echo 'leader orders 0 2'; cat) | kafka-actors broker --topic orders:8
        """;

    public int Run(ParsedArguments arguments)
    {
        var topics = ReadTopics(arguments);
        var clientConfig = arguments.String(ClientConfig);
        return arguments.Has(NoFront) ? RunWithoutFront(arguments, topics, clientConfig) : RunWithFront(arguments, topics, clientConfig);
    }

    private static int RunWithFront(ParsedArguments arguments, List<(string Name, int Partitions)> topics, string? clientConfig)
    {
        var users = ReadUsers(arguments);
        var options = ReadOptions(arguments, users);

        using var kafka = SecureEmbeddedKafka.Start(options);
        foreach (var (name, partitions) in topics)
            kafka.Cluster.CreateTopic(name, partitions, Math.Min(3, options.Brokers));
        // Before the first line: whoever waits for it may read the file at once.
        if (clientConfig is not null) WriteClientConfig(kafka.JavaClientProperties(users[0].Name, kafka.SecurityProtocol.UsesSasl() ? kafka.SaslMechanisms[0] : null), clientConfig);

        using var stop = new StopSignal();
        Console.Out.WriteLine($"bootstrap.servers={kafka.BootstrapServers}");
        Console.Out.Flush();
        // Only now: every answer comes after the first line.
        stop.ReadCommands(new BrokerFaultCommands(kafka.Cluster, kafka).Execute);
        Console.Error.WriteLine($"Embedded Kafka: {options.Brokers} broker(s), {kafka.SecurityProtocol.ToKafkaName()}" +
                                (kafka.SecurityProtocol.UsesSasl() ? $", SASL {string.Join(", ", kafka.SaslMechanisms)}, users {string.Join(", ", kafka.Users.Keys)}" : ""));
        foreach (var (name, partitions) in topics) Console.Error.WriteLine($"Created topic {name} with {partitions} partition(s)");
        if (kafka.SecurityProtocol.UsesTls()) Console.Error.WriteLine($"CA certificate (PEM): {kafka.Certificates.CaCertificatePem}");
        if (clientConfig is not null) Console.Error.WriteLine($"Client properties written to {clientConfig}");
        Console.Error.WriteLine($"Running; fault commands on stdin ({BrokerFaultCommands.Help}); close stdin or press Ctrl+C to stop.");
        stop.Wait();
        Console.Error.WriteLine("Stopping.");
        return 0;
    }

    /// <summary>--no-front: the mock brokers alone, so a client's traffic crosses no relay of ours.</summary>
    private static int RunWithoutFront(ParsedArguments arguments, List<(string Name, int Partitions)> topics, string? clientConfig)
    {
        foreach (var frontOnly in new[] { SecurityProtocolOption, SaslMechanism, User, NoEnforceIdempotence })
        {
            if (arguments.Has(frontOnly)) throw new UsageException($"{frontOnly} needs the front: leave out {NoFront}.");
        }
        var brokers = arguments.Int(Brokers) ?? 3;
        if (brokers < 1) throw new UsageException($"{Brokers} should be at least 1.");

        using var kafka = EmbeddedKafka.Start(brokers);
        foreach (var (name, partitions) in topics)
            kafka.CreateTopic(name, partitions, Math.Min(3, brokers));
        if (clientConfig is not null)
            WriteClientConfig(new Dictionary<string, string> { ["bootstrap.servers"] = kafka.BootstrapServers, ["security.protocol"] = "PLAINTEXT" }, clientConfig);

        using var stop = new StopSignal();
        Console.Out.WriteLine($"bootstrap.servers={kafka.BootstrapServers}");
        Console.Out.Flush();
        stop.ReadCommands(new BrokerFaultCommands(kafka, null).Execute);
        Console.Error.WriteLine($"Embedded Kafka: {brokers} broker(s), PLAINTEXT, no front");
        foreach (var (name, partitions) in topics) Console.Error.WriteLine($"Created topic {name} with {partitions} partition(s)");
        if (clientConfig is not null) Console.Error.WriteLine($"Client properties written to {clientConfig}");
        Console.Error.WriteLine($"Running; fault commands on stdin ({BrokerFaultCommands.Help}); close stdin or press Ctrl+C to stop.");
        stop.Wait();
        Console.Error.WriteLine("Stopping.");
        return 0;
    }

    private static SecureKafkaOptions ReadOptions(ParsedArguments arguments, List<(string Name, string Password)> users)
    {
        var brokers = arguments.Int(Brokers) ?? 3;
        if (brokers < 1) throw new UsageException($"{Brokers} should be at least 1.");
        var protocol = ParseProtocol(arguments.String(SecurityProtocolOption) ?? "PLAINTEXT");
        var mechanisms = arguments.All(SaslMechanism).Select(m => m.Trim().ToUpperInvariant()).Distinct().ToList();
        foreach (var mechanism in mechanisms)
        {
            if (!SecureKafkaOptions.AllSaslMechanisms.Contains(mechanism))
                throw new UsageException($"Unknown SASL mechanism '{mechanism}' for {SaslMechanism}: expected one of {string.Join(", ", SecureKafkaOptions.AllSaslMechanisms)}.");
        }
        if (mechanisms.Count > 0 && !protocol.UsesSasl())
            throw new UsageException($"{SaslMechanism} needs {SecurityProtocolOption} SASL_PLAINTEXT or SASL_SSL.");
        var options = new SecureKafkaOptions { Brokers = brokers, SecurityProtocol = protocol, EnforceIdempotence = !arguments.Has(NoEnforceIdempotence) };
        if (mechanisms.Count > 0) options.SaslMechanisms = mechanisms;
        options.Users = users.ToDictionary(u => u.Name, u => u.Password, StringComparer.Ordinal);
        return options;
    }

    /// <summary>The --user table in command-line order (the first is the client config's); a malformed one is not echoed: it may be a password.</summary>
    private static List<(string Name, string Password)> ReadUsers(ParsedArguments arguments)
    {
        var values = arguments.All(User);
        if (values.Count == 0) return [(DefaultUser, DefaultPassword)];
        var users = new List<(string Name, string Password)>();
        foreach (var value in values)
        {
            var colon = value.IndexOf(':');
            if (colon <= 0 || colon == value.Length - 1)
                throw new UsageException($"Invalid {User} value: expected name:password, e.g. alice:s3cret.");
            var name = value[..colon];
            if (users.Any(u => u.Name == name)) throw new UsageException($"{User} {name} is given twice.");
            users.Add((name, value[(colon + 1)..]));
        }
        return users;
    }

    private static ListenerSecurityProtocol ParseProtocol(string value) => value.Trim().ToUpperInvariant() switch
    {
        "PLAINTEXT" => ListenerSecurityProtocol.Plaintext,
        "SSL" => ListenerSecurityProtocol.Ssl,
        "SASL_PLAINTEXT" => ListenerSecurityProtocol.SaslPlaintext,
        "SASL_SSL" => ListenerSecurityProtocol.SaslSsl,
        _ => throw new UsageException($"Invalid {SecurityProtocolOption} '{value}': expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL."),
    };

    private static List<(string Name, int Partitions)> ReadTopics(ParsedArguments arguments)
    {
        var topics = new List<(string Name, int Partitions)>();
        foreach (var value in arguments.All(Topic))
        {
            var colon = value.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var partitions) || partitions < 1)
                throw new UsageException($"Invalid {Topic} '{value}': expected name:partitions, e.g. orders:8.");
            var name = value[..colon];
            if (topics.Any(t => t.Name == name)) throw new UsageException($"{Topic} {name} is given twice.");
            topics.Add((name, partitions));
        }
        return topics;
    }

    /// <summary>Java client properties (for the first user and the first enabled mechanism, through a front); the file may hold a password.</summary>
    private static void WriteClientConfig(IDictionary<string, string> properties, string path)
    {
        try
        {
            PropertiesFile.Write(path, properties, "Written by kafka-actors broker; valid while it runs.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot write {ClientConfig} '{path}': {e.Message}");
        }
    }

    /// <summary>
    /// Set when stdin reaches its end or on SIGINT/SIGTERM. Owned by the command; thread-safe. The stdin reader
    /// may still finish after disposal (a signal came first), so it completes a task rather than a disposable event.
    /// </summary>
    private sealed class StopSignal : IDisposable
    {
        private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly PosixSignalRegistration _interrupt;
        private readonly PosixSignalRegistration _terminate;

        public StopSignal()
        {
            _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        }

        /// <summary>
        /// Reads stdin line by line on a background thread, writing each answer of <paramref name="execute"/> as one stdout
        /// line (the only writer of stdout from then on); its end stops the broker.
        /// </summary>
        public void ReadCommands(Func<string, string?> execute)
        {
            var reader = new Thread(() =>
            {
                try
                {
                    using var stdin = new StreamReader(Console.OpenStandardInput());
                    while (stdin.ReadLine() is { } line)
                    {
                        if (_stopped.Task.IsCompleted) break;
                        if (execute(line) is not { } answer) continue;
                        Console.Out.WriteLine(answer);
                        Console.Out.Flush();
                    }
                }
                catch (IOException) { }
                _stopped.TrySetResult();
            }) { IsBackground = true, Name = "broker-stdin" };
            reader.Start();
        }

        public void Wait() => _stopped.Task.Wait();

        private void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // stop cleanly (fronts closed, certificate files removed), then exit 0
            _stopped.TrySetResult();
        }

        public void Dispose()
        {
            _interrupt.Dispose();
            _terminate.Dispose();
        }
    }
}
