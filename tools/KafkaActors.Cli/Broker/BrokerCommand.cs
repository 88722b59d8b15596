using System.Globalization;
using System.Runtime.InteropServices;
using KafkaActors.Cli.CommandLine;
using KafkaActors.Testing.Secure;

namespace KafkaActors.Cli.Broker;

/// <summary>
/// <c>kafka-actors broker</c>: the embedded cluster as a long-running process, behind the secure front, so
/// demos and other tools' tests get a local (secure) Kafka in one command with no JVM or Docker. Prints
/// <c>bootstrap.servers=...</c> first, then runs until stdin closes or SIGINT/SIGTERM.
/// </summary>
internal sealed class BrokerCommand : ICommand
{
    private const string Brokers = "--brokers";
    private const string Topic = "--topic";
    private const string SecurityProtocolOption = "--security-protocol";
    private const string SaslMechanism = "--sasl-mechanism";
    private const string User = "--user";
    private const string ClientConfig = "--client-config";

    public string Name => "broker";

    public string Summary => "Run an embedded Kafka cluster (optionally TLS/SASL) until stdin closes or SIGINT/SIGTERM.";

    public string Description =>
        "Starts librdkafka's mock cluster with a front on each broker that terminates TLS and performs SASL " +
        "(PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER with unsecured JWTs), and keeps it running. The first " +
        "line on stdout is exactly bootstrap.servers=<host:port,...>; the rest (what was created, where the CA " +
        "certificate is) goes to stderr. It stops, removing its certificate files, when stdin is closed or on " +
        "SIGINT/SIGTERM, and exits 0. Topics not created with --topic are auto-created with 4 partitions.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Single(Brokers, "n", "Number of brokers (default 3)."),
        OptionSpec.Repeated(Topic, "name:partitions", "Create this topic (replication factor min(3, brokers)); repeatable."),
        OptionSpec.Single(SecurityProtocolOption, "protocol", "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (default PLAINTEXT)."),
        OptionSpec.Repeated(SaslMechanism, "mechanism",
            "A SASL mechanism to enable: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER; repeatable (default all four)."),
        OptionSpec.Repeated(User, "name:password",
            "A user PLAIN and SCRAM accept; OAUTHBEARER accepts its name as the token subject. Repeatable (default alice:alice-secret)."),
        OptionSpec.Single(ClientConfig, "file",
            "Write a Java client properties file for the first user and mechanism (bootstrap.servers, security.protocol, " +
            "ssl.truststore.* with the CA as PEM, sasl.mechanism, sasl.jaas.config) that produce --producer.config and Java clients accept."),
    ];

    public string Epilog => """
        Examples:
          kafka-actors broker --topic orders:8
          kafka-actors broker --security-protocol SASL_SSL --sasl-mechanism SCRAM-SHA-512 --user alice:s3cret --client-config client.properties
          kafka-actors produce --topic orders --producer.config client.properties < lines.txt
        """;

    public int Run(ParsedArguments arguments)
    {
        var options = ReadOptions(arguments);
        var topics = arguments.All(Topic).Select(ParseTopic).ToList();
        var clientConfig = arguments.String(ClientConfig);

        using var kafka = SecureEmbeddedKafka.Start(options);
        foreach (var (name, partitions) in topics)
            kafka.Cluster.CreateTopic(name, partitions, Math.Min(3, options.Brokers));

        using var stop = new StopSignal();
        Console.Out.WriteLine($"bootstrap.servers={kafka.BootstrapServers}");
        Console.Out.Flush();
        Console.Error.WriteLine($"Embedded Kafka: {options.Brokers} broker(s), {kafka.SecurityProtocol.ToKafkaName()}" +
                                (kafka.SecurityProtocol.UsesSasl() ? $", SASL {string.Join(", ", kafka.SaslMechanisms)}, users {string.Join(", ", kafka.Users.Keys)}" : ""));
        foreach (var (name, partitions) in topics) Console.Error.WriteLine($"Created topic {name} with {partitions} partition(s)");
        if (kafka.SecurityProtocol.UsesTls()) Console.Error.WriteLine($"CA certificate (PEM): {kafka.Certificates.CaCertificatePem}");
        if (clientConfig is not null)
        {
            WriteClientConfig(kafka, FirstUser(arguments), clientConfig);
            Console.Error.WriteLine($"Client properties written to {clientConfig}");
        }
        Console.Error.WriteLine("Running; close stdin or press Ctrl+C to stop.");
        stop.Wait();
        Console.Error.WriteLine("Stopping.");
        return 0;
    }

    /// <summary>The user the client config speaks for: the first --user given.</summary>
    private static string FirstUser(ParsedArguments arguments) =>
        arguments.All(User) is [var first, ..] ? first[..first.IndexOf(':')] : "alice";

    private static SecureKafkaOptions ReadOptions(ParsedArguments arguments)
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
        var options = new SecureKafkaOptions { Brokers = brokers, SecurityProtocol = protocol };
        if (mechanisms.Count > 0) options.SaslMechanisms = mechanisms;
        var users = arguments.All(User);
        if (users.Count > 0)
        {
            var table = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var user in users)
            {
                var colon = user.IndexOf(':');
                if (colon <= 0) throw new UsageException($"Invalid {User} '{user[..Math.Max(0, colon)]}...': expected name:password.");
                table[user[..colon]] = user[(colon + 1)..];
            }
            options.Users = table;
        }
        else
        {
            options.Users = new Dictionary<string, string> { ["alice"] = "alice-secret" };
        }
        return options;
    }

    private static ListenerSecurityProtocol ParseProtocol(string value) => value.Trim().ToUpperInvariant() switch
    {
        "PLAINTEXT" => ListenerSecurityProtocol.Plaintext,
        "SSL" => ListenerSecurityProtocol.Ssl,
        "SASL_PLAINTEXT" => ListenerSecurityProtocol.SaslPlaintext,
        "SASL_SSL" => ListenerSecurityProtocol.SaslSsl,
        _ => throw new UsageException($"Invalid {SecurityProtocolOption} '{value}': expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL."),
    };

    private static (string Name, int Partitions) ParseTopic(string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var partitions) || partitions < 1)
            throw new UsageException($"Invalid {Topic} '{value}': expected name:partitions, e.g. orders:8.");
        return (value[..colon], partitions);
    }

    private static void WriteClientConfig(SecureEmbeddedKafka kafka, string user, string path)
    {
        var mechanism = kafka.SecurityProtocol.UsesSasl() ? kafka.SaslMechanisms[0] : null;
        var lines = kafka.JavaClientProperties(user, mechanism).Select(p => $"{p.Key}={EscapeProperty(p.Value)}");
        File.WriteAllLines(path, ["# Written by kafka-actors broker; valid while it runs.", .. lines]);
    }

    /// <summary>Java .properties escaping for values: backslashes (and so Windows paths) must be doubled.</summary>
    private static string EscapeProperty(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal);

    /// <summary>Set when stdin reaches its end or on SIGINT/SIGTERM. Owned by the command; thread-safe.</summary>
    private sealed class StopSignal : IDisposable
    {
        private readonly ManualResetEventSlim _stopped = new();
        private readonly PosixSignalRegistration _interrupt;
        private readonly PosixSignalRegistration _terminate;

        public StopSignal()
        {
            _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            var reader = new Thread(() =>
            {
                try
                {
                    var stdin = Console.OpenStandardInput();
                    var buffer = new byte[256];
                    while (stdin.Read(buffer, 0, buffer.Length) > 0) { }
                }
                catch (IOException) { }
                _stopped.Set();
            }) { IsBackground = true, Name = "broker-stdin" };
            reader.Start();
        }

        public void Wait() => _stopped.Wait();

        private void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // stop cleanly (certificate files removed), then exit 0
            _stopped.Set();
        }

        public void Dispose()
        {
            _interrupt.Dispose();
            _terminate.Dispose();
            _stopped.Dispose();
        }
    }
}
