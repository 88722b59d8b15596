using System.Text.RegularExpressions;
using KafkaActors.Testing;
using Xunit;

namespace KafkaActors.Cli.Tests;

/// <summary>kafka-actors broker as a child process: its first line, its topics and listeners, how it stops, and its usage.</summary>
public sealed partial class BrokerCommandTests : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);
    private readonly string _dir = Directory.CreateTempSubdirectory("kafka-actors-broker-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex(@"^bootstrap\.servers=127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+)*$")]
    private static partial Regex BootstrapLine();

    [Fact]
    public async Task First_line_is_the_bootstrap_servers_and_closing_stdin_stops_it_with_exit_0()
    {
        using var broker = await BrokerProcess.Start("--brokers", "2", "--topic", "orders:5", "--topic", "audit:1");

        Assert.Matches(BootstrapLine(), broker.FirstLine);
        Assert.Equal(2, broker.BootstrapServers.Split(',').Length);
        Assert.Equal(5, KafkaReader.GetPartitionCount(broker.BootstrapServers, "orders"));
        Assert.Equal(1, KafkaReader.GetPartitionCount(broker.BootstrapServers, "audit"));

        broker.CloseStandardInput();
        Assert.Equal(0, await broker.WaitForExit(ExitTimeout));
        Assert.Equal(broker.FirstLine + "\n", broker.Out); // nothing else on stdout
        Assert.Contains("Created topic orders with 5 partition(s)", broker.Error);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_stops_it_with_exit_0_and_removes_its_certificates(string signal)
    {
        var configFile = Path.Combine(_dir, "client.properties");
        using var broker = await BrokerProcess.Start("--brokers", "1", "--security-protocol", "SSL", "--topic", "tls:2", "--client-config", configFile);

        var properties = ClientPropertiesFile.Read(configFile);
        Assert.Equal(["bootstrap.servers", "security.protocol", "ssl.truststore.location", "ssl.truststore.type"], properties.Keys.Order());
        Assert.Equal(broker.BootstrapServers, properties["bootstrap.servers"]);
        Assert.Equal("SSL", properties["security.protocol"]);
        Assert.Equal("PEM", properties["ssl.truststore.type"]);
        var ca = properties["ssl.truststore.location"];
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(ca));
        // The listener speaks TLS with that CA: Confluent's client gets metadata through it.
        Assert.Equal(2, KafkaReader.GetPartitionCount(ClientPropertiesFile.ToConfluent(properties), "tls"));

        broker.Signal(signal);
        Assert.Equal(0, await broker.WaitForExit(ExitTimeout));
        Assert.False(File.Exists(ca), "the CA certificate outlived the broker");
        Assert.Contains("Stopping.", broker.Error);
    }

    [Theory]
    [InlineData("--brokers 0", "--brokers should be at least 1")]
    [InlineData("--brokers three", "Invalid value 'three' for --brokers")]
    [InlineData("--topic orders", "Invalid --topic 'orders'")]
    [InlineData("--topic orders:0", "Invalid --topic 'orders:0'")]
    [InlineData("--topic a:1 --topic a:2", "--topic a is given twice")]
    [InlineData("--security-protocol TLS", "Invalid --security-protocol 'TLS'")]
    [InlineData("--security-protocol SASL_SSL --sasl-mechanism GSSAPI", "Unknown SASL mechanism 'GSSAPI'")]
    [InlineData("--sasl-mechanism PLAIN", "--sasl-mechanism needs --security-protocol SASL_PLAINTEXT or SASL_SSL")]
    [InlineData("--user Pa55-no-colon", "Invalid --user value: expected name:password")]
    [InlineData("--listeners 9092", "Unrecognized option '--listeners'")]
    [InlineData("--no-front --security-protocol SSL", "--security-protocol needs the front: leave out --no-front")]
    public async Task Bad_flags_exit_1_with_the_reason_and_the_usage(string flags, string reason)
    {
        var result = await CliProcess.Run("", TimeSpan.FromSeconds(30), ["broker", .. flags.Split(' ')]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out); // no bootstrap line: nothing was started
        Assert.StartsWith(reason, result.Error);
        Assert.Contains("Usage: kafka-actors broker [options]", result.Error);
        Assert.DoesNotContain("Pa55-no-colon", result.Error); // a malformed --user may be a password
    }

    [Fact]
    public async Task Help_lists_every_option_with_its_default_and_how_it_stops()
    {
        var result = await CliProcess.Run(null, TimeSpan.FromSeconds(30), "broker", "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var text in new[]
                 {
                     "--brokers <n>", "(default 3)", "--topic <name:partitions>", "--security-protocol <protocol>",
                     "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (default PLAINTEXT)", "--sasl-mechanism <mechanism>",
                     "(default all four)", "OAUTHBEARER", "--user <name:password>", "--client-config <file>",
                     "ssl.truststore.type=PEM", "sasl.jaas.config", "bootstrap.servers=<host:port,...>", "SIGINT/SIGTERM", "exits 0",
                 })
        {
            Assert.Contains(text, result.Out);
        }
    }
}
