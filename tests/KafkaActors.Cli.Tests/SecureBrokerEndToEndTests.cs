using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using KafkaActors.Testing;
using Xunit;

namespace KafkaActors.Cli.Tests;

/// <summary>
/// One <c>kafka-actors broker</c> process (SASL_SSL, SCRAM-SHA-512) for <see cref="SecureBrokerEndToEndTests"/>:
/// its client properties file and the Confluent configuration read from it.
/// </summary>
public sealed class SecureBrokerFixture : IAsyncLifetime
{
    public const string Password = "s3cret";
    public const string OtherPassword = "b0b-Pa55";

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("kafka-actors-secure-").FullName;

    public string ConfigFile => Path.Combine(Directory, "client.properties");

    public BrokerProcess Broker { get; private set; } = null!;

    public IReadOnlyDictionary<string, string> Properties { get; private set; } = null!;

    public Confluent.Kafka.ClientConfig Confluent => ClientPropertiesFile.ToConfluent(Properties);

    public async Task InitializeAsync()
    {
        Broker = await BrokerProcess.Start("--security-protocol", "SASL_SSL", "--sasl-mechanism", "SCRAM-SHA-512",
            "--user", $"alice:{Password}", "--user", $"bob:{OtherPassword}",
            "--topic", "t:3", "--topic", "perf:3", "--topic", "props:2", "--topic", "props-perf:2", "--client-config", ConfigFile);
        Properties = ClientPropertiesFile.Read(ConfigFile);
    }

    public Task DisposeAsync()
    {
        Broker.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// End to end through the secure front: the broker process, produce and perf-test processes configured by its client
/// properties (as a file, or key by key on the command line), read back with Confluent's consumer; and the failures
/// a user meets first (a wrong password, an untrusted certificate), which must end the run promptly with one line.
/// </summary>
public sealed class SecureBrokerEndToEndTests(SecureBrokerFixture fixture) : IClassFixture<SecureBrokerFixture>
{
    private const string WrongPassword = "Wr0ng-Pa55w0rd";
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(15); // max.block.ms is 30 s in the failure tests

    private static readonly Regex FinalLine = new(@"^(\d+) records sent, .* ms 99\.9th\.$", RegexOptions.Multiline);

    [Fact]
    public async Task The_client_config_has_Java_s_keys_and_the_broker_prints_no_password()
    {
        var properties = fixture.Properties;
        Assert.Equal(["bootstrap.servers", "sasl.jaas.config", "sasl.mechanism", "security.protocol", "ssl.truststore.location", "ssl.truststore.type"],
            properties.Keys.Order());
        Assert.Equal(fixture.Broker.BootstrapServers, properties["bootstrap.servers"]);
        Assert.Equal(3, fixture.Broker.BootstrapServers.Split(',').Length);
        Assert.Equal("SASL_SSL", properties["security.protocol"]);
        Assert.Equal("PEM", properties["ssl.truststore.type"]);
        Assert.Equal("SCRAM-SHA-512", properties["sasl.mechanism"]);
        Assert.Equal($"org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"{SecureBrokerFixture.Password}\";",
            properties["sasl.jaas.config"]);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fixture.ConfigFile));

        await Task.Delay(200); // the broker's stderr lines after its first line
        var output = fixture.Broker.Out + fixture.Broker.Error;
        Assert.Contains("users alice, bob", output);
        Assert.DoesNotContain(SecureBrokerFixture.Password, output);
        Assert.DoesNotContain(SecureBrokerFixture.OtherPassword, output);
    }

    [Fact]
    public async Task Produce_with_the_client_config_delivers_every_line_in_order_per_partition()
    {
        var lines = Enumerable.Range(0, 600).Select(i => $"key-{i % 6}\tline {i}").ToList();
        var result = await CliProcess.Run(string.Join('\n', lines) + "\n", TimeSpan.FromSeconds(60),
            "produce", "--topic", "t", "--producer.config", fixture.ConfigFile, "--property", "parse.key=true");

        Assert.True(result.ExitCode == 0, result.Error);
        AssertDelivered(lines, "t");
    }

    [Fact]
    public async Task Perf_test_with_the_client_config_writes_every_record()
    {
        var result = await CliProcess.Run(null, TimeSpan.FromSeconds(60),
            "perf-test", "--topic", "perf", "--num-records", "20000", "--record-size", "100", "--throughput", "-1",
            "--producer.config", fixture.ConfigFile);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("20000", FinalLine.Match(result.Out).Groups[1].Value);
        Assert.Equal(20000, KafkaReader.GetWatermarks(fixture.Confluent, "perf").Values.Sum(w => w.High - w.Low));
    }

    [Fact]
    public async Task The_same_settings_key_by_key_work_with_producer_property_and_producer_props()
    {
        var security = fixture.Properties.Where(p => p.Key != "bootstrap.servers").Select(p => $"{p.Key}={p.Value}").ToList();

        var lines = Enumerable.Range(0, 100).Select(i => $"key-{i % 6}\tv{i}").ToList();
        var produce = await CliProcess.Run(string.Join('\n', lines) + "\n", TimeSpan.FromSeconds(60),
            ["produce", "--bootstrap-server", fixture.Broker.BootstrapServers, "--topic", "props", "--property", "parse.key=true",
                .. security.SelectMany(s => new[] { "--producer-property", s })]);
        Assert.True(produce.ExitCode == 0, produce.Error);
        AssertDelivered(lines, "props");

        var perf = await CliProcess.Run(null, TimeSpan.FromSeconds(60),
            ["perf-test", "--topic", "props-perf", "--num-records", "5000", "--record-size", "50", "--throughput", "-1",
                "--producer-props", $"bootstrap.servers={fixture.Broker.BootstrapServers}", .. security]);
        Assert.True(perf.ExitCode == 0, perf.Error);
        Assert.Equal(5000, KafkaReader.GetWatermarks(fixture.Confluent, "props-perf").Values.Sum(w => w.High - w.Low));
    }

    [Theory]
    [InlineData("produce")]
    [InlineData("produce --property ignore.error=true")]
    [InlineData("perf-test")]
    public async Task A_wrong_password_ends_the_run_promptly_with_one_line_that_never_shows_it(string command)
    {
        var properties = new Dictionary<string, string>(fixture.Properties)
        {
            ["sasl.jaas.config"] = fixture.Properties["sasl.jaas.config"].Replace(SecureBrokerFixture.Password, WrongPassword, StringComparison.Ordinal),
            ["max.block.ms"] = "30000",
        };
        var result = await RunAgainst(command, properties);

        var line = Assert.Single(NonEmptyLines(result.Error));
        Assert.StartsWith("Error: SaslAuthenticationException: ", line);
        Assert.Contains("SCRAM-SHA-512", line);
        Assert.DoesNotContain(WrongPassword, result.Out + result.Error);
        Assert.DoesNotContain(SecureBrokerFixture.Password, result.Out + result.Error);
    }

    [Theory]
    [InlineData("produce")]
    [InlineData("perf-test")]
    public async Task An_untrusted_certificate_ends_the_run_promptly_with_one_line(string command)
    {
        // No trust store: the operating system's, which does not know the broker's test CA.
        var properties = fixture.Properties.Where(p => !p.Key.StartsWith("ssl.truststore.", StringComparison.Ordinal))
            .Append(new("max.block.ms", "30000"));
        var result = await RunAgainst(command, properties);

        var line = Assert.Single(NonEmptyLines(result.Error));
        Assert.StartsWith("Error: SslAuthenticationException: ", line);
        Assert.Contains("not trusted", line);
        Assert.DoesNotContain(SecureBrokerFixture.Password, result.Out + result.Error);
    }

    /// <summary>Runs produce (500 input lines) or perf-test with these properties as its --producer.config; asserts a prompt non-zero exit.</summary>
    private async Task<CliProcess.Result> RunAgainst(string command, IEnumerable<KeyValuePair<string, string>> properties)
    {
        var file = Path.Combine(fixture.Directory, $"{Guid.NewGuid():N}.properties");
        ClientPropertiesFile.Write(file, properties);
        var words = command.Split(' ');
        string[] args = words[0] == "produce"
            ? [.. words, "--topic", "t", "--producer.config", file]
            : [.. words, "--topic", "perf", "--num-records", "20000", "--record-size", "100", "--throughput", "-1", "--producer.config", file];
        var input = words[0] == "produce" ? string.Concat(Enumerable.Range(0, 500).Select(i => $"never {i}\n")) : null;

        var clock = Stopwatch.StartNew();
        var result = await CliProcess.Run(input, TimeSpan.FromSeconds(60), args);
        Assert.True(clock.Elapsed < Prompt, $"{command} took {clock.Elapsed} to fail. stderr: {result.Error}");
        Assert.True(result.ExitCode != 0, $"{command} exited 0. stderr: {result.Error}");
        return result;
    }

    private static IEnumerable<string> NonEmptyLines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0);

    /// <summary>Every line exactly once, and within each partition in input order (as a key always maps to one partition).</summary>
    private void AssertDelivered(IReadOnlyList<string> lines, string topic)
    {
        var records = KafkaReader.ReadAll(fixture.Confluent, topic, TimeSpan.FromSeconds(30));
        var read = records.Select(r => $"{Encoding.UTF8.GetString(r.Key!)}\t{Encoding.UTF8.GetString(r.Value!)}").ToList();
        Assert.Equal(lines.Order(), read.Order());
        var index = lines.Select((line, i) => (line, i)).ToDictionary(x => x.line, x => x.i);
        foreach (var partition in records.GroupBy(r => r.Partition))
        {
            var order = partition.OrderBy(r => r.Offset).Select(r => index[$"{Encoding.UTF8.GetString(r.Key!)}\t{Encoding.UTF8.GetString(r.Value!)}"]).ToList();
            Assert.Equal(order.Order(), order);
        }
        Assert.True(records.Select(r => r.Partition).Distinct().Count() > 1, "all lines went to one partition: the test proves less than it says");
    }
}
