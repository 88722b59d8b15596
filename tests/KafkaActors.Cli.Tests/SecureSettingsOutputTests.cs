using Xunit;

namespace KafkaActors.Cli.Tests;

/// <summary>Bad security settings stop the tools with a message that names the key and never prints the secret.</summary>
public sealed class SecureSettingsOutputTests : IDisposable
{
    private const string Secret = "Cli-S3cret-Pa55";
    private readonly string _dir = Directory.CreateTempSubdirectory("kafka-actors-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ConfigFile(string text)
    {
        var path = Path.Combine(_dir, "client.properties");
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<CliProcess.Result> Produce(params string[] more) =>
        await CliProcess.Run("", TimeSpan.FromSeconds(60), ["produce", "--bootstrap-server", "127.0.0.1:9", "--topic", "t", .. more]);

    private static async Task<CliProcess.Result> PerfTest(params string[] props) =>
        await CliProcess.Run(null, TimeSpan.FromSeconds(60),
            ["perf-test", "--topic", "t", "--num-records", "10", "--record-size", "10", "--throughput", "-1",
                "--producer-props", "bootstrap.servers=127.0.0.1:9", .. props]);

    [Fact]
    public async Task Perf_test_names_the_bad_key_and_hides_the_secret_too()
    {
        var jaas = await PerfTest("security.protocol=SASL_PLAINTEXT", "sasl.mechanism=SCRAM-SHA-256",
            $"sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"{Secret}\"");
        Assert.Equal(1, jaas.ExitCode);
        Assert.Contains("sasl.jaas.config", jaas.Error);
        Assert.DoesNotContain(Secret, jaas.Error + jaas.Out);

        var pemPassword = await PerfTest("security.protocol=SSL", "ssl.truststore.type=PEM", $"ssl.truststore.password={Secret}",
            "ssl.truststore.certificates=-----BEGIN CERTIFICATE----- AAAA -----END CERTIFICATE-----");
        Assert.Equal(1, pemPassword.ExitCode);
        Assert.Contains("ssl.truststore.password", pemPassword.Error);
        Assert.DoesNotContain(Secret, pemPassword.Error + pemPassword.Out);

        var noEquals = await PerfTest($"sasl.jaas.config:{Secret}");
        Assert.Equal(1, noEquals.ExitCode);
        Assert.Contains("expected key=value", noEquals.Error);
        Assert.DoesNotContain(Secret, noEquals.Error + noEquals.Out);
    }

    [Fact]
    public async Task A_malformed_jaas_config_names_the_key_and_hides_the_password()
    {
        var file = ConfigFile($$"""
            security.protocol=SASL_SSL
            sasl.mechanism=PLAIN
            sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \
                username="alice" password="{{Secret}}"
            """);
        var result = await Produce("--producer.config", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("sasl.jaas.config", result.Error);
        Assert.Contains("[hidden]", result.Error);
        Assert.DoesNotContain(Secret, result.Error + result.Out);
    }

    [Fact]
    public async Task A_wrong_or_misplaced_password_is_not_echoed()
    {
        var badEscape = await Produce("--producer.config", ConfigFile($"security.protocol=SSL\nssl.truststore.password={Secret}\\u12\n"));
        Assert.Equal(1, badEscape.ExitCode);
        Assert.Contains("ssl.truststore.password", badEscape.Error);
        Assert.DoesNotContain(Secret, badEscape.Error + badEscape.Out);

        var noEquals = await Produce("--producer-property", $"ssl.key.password:{Secret}");
        Assert.Equal(1, noEquals.ExitCode);
        Assert.Contains("expected key=value", noEquals.Error);
        Assert.DoesNotContain(Secret, noEquals.Error + noEquals.Out);

        var pemPassword = await Produce("--producer-property", "security.protocol=SSL", "--producer-property", $"ssl.truststore.password={Secret}",
            "--producer-property", "ssl.truststore.certificates=-----BEGIN CERTIFICATE----- AAAA -----END CERTIFICATE-----");
        Assert.Equal(1, pemPassword.ExitCode);
        Assert.Contains("ssl.truststore.password", pemPassword.Error);
        Assert.DoesNotContain(Secret, pemPassword.Error + pemPassword.Out);
    }
}
