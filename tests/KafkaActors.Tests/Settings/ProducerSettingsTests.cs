using KafkaActors.Errors;
using KafkaActors.Settings;
using Xunit;

namespace KafkaActors.Tests.Settings;

public sealed class ProducerSettingsTests
{
    private const string Bootstrap = "localhost:9092";

    [Fact]
    public void Defaults_are_kafkas()
    {
        var s = ProducerSettings.Create(Bootstrap);
        Assert.Equal(["localhost:9092"], s.BootstrapServers);
        Assert.Equal(-1, s.Acks);
        Assert.Equal(5, s.LingerMs);
        Assert.Equal(16384, s.BatchSize);
        Assert.Equal(33554432, s.BufferMemory);
        Assert.Equal(60000, s.MaxBlockMs);
        Assert.Equal(30000, s.RequestTimeoutMs);
        Assert.Equal(120000, s.DeliveryTimeoutMs);
        Assert.True(s.EnableIdempotence);
        Assert.Equal(5, s.MaxInFlightRequestsPerConnection);
        Assert.Equal(int.MaxValue, s.Retries);
        Assert.Equal(100, s.RetryBackoffMs);
        Assert.Equal(1000, s.RetryBackoffMaxMs);
        Assert.Equal(1048576, s.MaxRequestSize);
        Assert.Equal(300000, s.MetadataMaxAgeMs);
        Assert.Equal(Protocol.Records.CompressionType.None, s.CompressionType);
        Assert.True(s.AllowAutoCreateTopics);
        Assert.Equal("all", s.Properties["acks"]);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("0", 0)]
    public void Idempotence_is_silently_off_when_acks_conflicts_and_idempotence_was_not_set(string acks, short expected)
    {
        var s = ProducerSettings.Create(Bootstrap).WithProperty("acks", acks);
        Assert.Equal(expected, s.Acks);
        Assert.False(s.EnableIdempotence);
    }

    [Fact]
    public void Idempotence_is_silently_off_with_zero_retries_or_too_many_in_flight_when_not_set()
    {
        Assert.False(ProducerSettings.Create(Bootstrap).WithProperty("retries", "0").EnableIdempotence);
        Assert.False(ProducerSettings.Create(Bootstrap).WithProperty("max.in.flight.requests.per.connection", "6").EnableIdempotence);
        Assert.True(ProducerSettings.Create(Bootstrap).WithProperty("acks", "-1").EnableIdempotence);
    }

    [Fact]
    public void WithProperty_keeps_earlier_changes_and_leaves_the_original_alone()
    {
        var original = ProducerSettings.Create(Bootstrap);
        var changed = original.WithProperty("linger.ms", "20").WithProperty("batch.size", "1000");
        Assert.Equal(20, changed.LingerMs);
        Assert.Equal(1000, changed.BatchSize);
        Assert.Equal(5, original.LingerMs);
        Assert.Equal(16384, original.BatchSize);
    }

    [Fact]
    public void Delivery_timeout_default_is_raised_to_linger_plus_request_timeout()
    {
        var s = ProducerSettings.Create(Bootstrap).WithProperty("linger.ms", "100000");
        Assert.Equal(130000, s.DeliveryTimeoutMs);
    }

    public static TheoryData<string, string, string> InvalidValues => new()
    {
        { "acks", "2", "acks" },
        { "acks", "some", "acks" },
        { "linger.ms", "-1", "linger.ms" },
        { "batch.size", "abc", "batch.size" },
        { "buffer.memory", "1.5", "buffer.memory" },
        { "max.block.ms", "", "max.block.ms" },
        { "retries", "-1", "retries" },
        { "max.in.flight.requests.per.connection", "0", "max.in.flight.requests.per.connection" },
        { "compression.type", "brotli", "compression.type" },
        { "enable.idempotence", "maybe", "enable.idempotence" },
        { "request.timeout.ms", "99999999999", "request.timeout.ms" },
        { "bootstrap.servers", "no-port", "bootstrap.servers" },
        { "bootstrap.servers", "", "bootstrap.servers" },
        { "delivery.timeout.ms", "1000", "delivery.timeout.ms" },
        { "security.protocol", "TLS", "security.protocol" },
        { "tracing.propagate-context", "sometimes", "tracing.propagate-context" },
    };

    [Fact]
    public void Context_propagation_is_on_unless_turned_off()
    {
        Assert.True(ProducerSettings.Create(Bootstrap).TracingPropagateContext);
        Assert.False(ProducerSettings.Create(Bootstrap).WithProperty("tracing.propagate-context", "false").TracingPropagateContext);
        Assert.False(ProducerSettings.FromProperties(new Dictionary<string, string> { ["bootstrap.servers"] = Bootstrap, ["tracing.propagate-context"] = "off" }).TracingPropagateContext);
        Assert.True(ProducerSettings.Create(Bootstrap).BufferAdaptiveLimit);
        Assert.False(ProducerSettings.Create(Bootstrap).WithProperty("buffer.adaptive-limit", "false").BufferAdaptiveLimit);
    }

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void Invalid_values_throw_ConfigException_naming_the_key(string key, string value, string expectedKey)
    {
        var viaWith = Assert.Throws<ConfigException>(() => ProducerSettings.Create(Bootstrap).WithProperty(key, value));
        Assert.Equal(expectedKey, viaWith.Key);
        Assert.Contains(expectedKey, viaWith.Message);

        var properties = new Dictionary<string, string> { ["bootstrap.servers"] = Bootstrap, [key] = value };
        var viaProperties = Assert.Throws<ConfigException>(() => ProducerSettings.FromProperties(properties));
        Assert.Equal(expectedKey, viaProperties.Key);
    }

    [Fact]
    public void Unknown_key_is_rejected_by_name()
    {
        var e = Assert.Throws<ConfigException>(() => ProducerSettings.Create(Bootstrap).WithProperty("linger.msec", "5"));
        Assert.Equal("linger.msec", e.Key);
        Assert.Contains("linger.msec", e.Message);
    }

    [Fact]
    public void A_java_producer_properties_file_loads_unchanged()
    {
        var s = ProducerSettings.FromProperties(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = Bootstrap,
            ["key.serializer"] = "org.apache.kafka.common.serialization.StringSerializer",
            ["value.serializer"] = "org.apache.kafka.common.serialization.ByteArraySerializer",
            ["client.dns.lookup"] = "use_all_dns_ips",
            ["metrics.recording.level"] = "INFO",
            ["acks"] = "all",
            ["compression.type"] = "lz4",
        });
        Assert.Equal(Protocol.Records.CompressionType.Lz4, s.CompressionType);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    public void Explicit_idempotence_with_acks_other_than_all_is_an_error(string acks)
    {
        var e = Assert.Throws<ConfigException>(() => ProducerSettings.FromProperties(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = Bootstrap,
            ["enable.idempotence"] = "true",
            ["acks"] = acks,
        }));
        Assert.True(e.Key is "acks" or "enable.idempotence", $"key {e.Key}");
        Assert.Contains("acks", e.Message);
        Assert.Contains("enable.idempotence", e.Message);
    }

    [Fact]
    public void Explicit_idempotence_with_zero_retries_or_too_many_in_flight_is_an_error()
    {
        var retries = Assert.Throws<ConfigException>(() =>
            ProducerSettings.Create(Bootstrap).WithProperties([new("enable.idempotence", "true"), new("retries", "0")]));
        Assert.Equal("retries", retries.Key);
        var inFlight = Assert.Throws<ConfigException>(() =>
            ProducerSettings.Create(Bootstrap).WithProperties([new("enable.idempotence", "true"), new("max.in.flight.requests.per.connection", "6")]));
        Assert.Equal("max.in.flight.requests.per.connection", inFlight.Key);
    }

    [Fact]
    public void Buffer_memory_below_batch_size_is_an_error()
    {
        var e = Assert.Throws<ConfigException>(() =>
            ProducerSettings.Create(Bootstrap).WithProperties([new("buffer.memory", "1000"), new("batch.size", "16384")]));
        Assert.True(e.Key is "buffer.memory" or "batch.size");
    }

    [Fact]
    public void Hocon_block_is_read_like_properties()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString("""
            akka.kafka.producer {
              bootstrap.servers = "a:1,b:2"
              acks = 1
              linger.ms = 12
            }
            """);
        var s = ProducerSettings.FromConfig(config);
        Assert.Equal(["a:1", "b:2"], s.BootstrapServers);
        Assert.Equal(1, s.Acks);
        Assert.Equal(12, s.LingerMs);
        Assert.False(s.EnableIdempotence);
    }
}
