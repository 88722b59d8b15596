using Akka.Actor;
using Akka.Hosting;
using KafkaActors.Errors;
using KafkaActors.Hosting.Tests.Support;
using KafkaActors.Protocol.Records;
using KafkaActors.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace KafkaActors.Hosting.Tests;

/// <summary>Where a hosted producer's settings come from: code &gt; IConfiguration &gt; HOCON (named, then shared) &gt; reference.conf.</summary>
[Collection(nameof(KafkaCollection))]
public sealed class SettingsTests(KafkaCluster kafka)
{
    [Fact]
    public async Task Each_layer_overrides_the_ones_below()
    {
        // Each key is set down to some layer, with the layer's number in its value.
        const string json = """
            {
              "Kafka": {
                "Producers": {
                  "layered": {
                    "linger.ms": "22",
                    "batch.size": "2222",
                    "request.timeout.ms": "22222"
                  }
                }
              }
            }
            """;
        const string hocon = """
            akka.kafka.producer {
              linger.ms = 44
              batch.size = 4444
              request.timeout.ms = 44444
              retries = 44
              max.block.ms = 44444
            }
            akka.kafka.producers.layered {
              linger.ms = 33
              batch.size = 3333
              retries = 33
            }
            """;
        using var host = await TestHost.StartAsync(akka => akka
            .AddHocon(hocon, HoconAddMode.Prepend)
            .WithKafkaProducer<string, string>("layered", o =>
            {
                o.BootstrapServers = kafka.Bootstrap;
                o.LingerMs = 11;
                o.TracingPropagateContext = false;
            }), json);

        var settings = host.Services.GetRequiredService<IKafkaProducerRegistry>().Get<string, string>("layered").Settings;
        Assert.Equal(11, settings.LingerMs);                        // code
        Assert.False(settings.TracingPropagateContext);             // code (KafkaActors' own key, tracing.propagate-context)
        Assert.Equal(2222, settings.BatchSize);                     // IConfiguration (JSON, dotted keys)
        Assert.Equal(22222, settings.RequestTimeoutMs);             // IConfiguration
        Assert.Equal(33, settings.Retries);                         // akka.kafka.producers.layered
        Assert.Equal(44444, settings.MaxBlockMs);                   // akka.kafka.producer
        Assert.Equal(33554432, settings.BufferMemory);              // reference.conf
        Assert.Equal(120000, settings.DeliveryTimeoutMs);           // reference.conf (>= linger + request timeout)
        Assert.Equal(-1, settings.Acks);                            // reference.conf
        Assert.True(settings.EnableIdempotence);                    // reference.conf
        Assert.Equal("layered", settings.ClientId);                 // hosting's default: the producer's name

        // The ActorSystem's config: reference.conf as the fallback, code options under the producer's name.
        var config = host.Services.GetRequiredService<ActorSystem>().Settings.Config;
        Assert.Equal(33554432, config.GetLong("akka.kafka.producer.buffer.memory"));
        Assert.Equal("all", config.GetString("akka.kafka.producer.acks"));
        Assert.Equal(44, config.GetInt("akka.kafka.producer.linger.ms"));
        Assert.Equal(11, config.GetInt("akka.kafka.producers.layered.linger.ms"));
        Assert.Equal(3333, config.GetInt("akka.kafka.producers.layered.batch.size"));
    }

    [Fact]
    public async Task Tcp_frames_are_the_producers_unless_the_system_sets_its_own()
    {
        // A request goes out in one socket send (Akka.IO's default is 4 KiB per send); what the system sets wins.
        using (var host = await TestHost.StartAsync(akka => akka.WithKafkaProducer<string, string>("frames", kafka.Bootstrap)))
        {
            var config = host.Services.GetRequiredService<ActorSystem>().Settings.Config;
            Assert.Equal(2L * 1024 * 1024, config.GetByteSize("akka.io.tcp.maximum-frame-size"));
            await ProduceOne(host, "frames");
        }
        using (var host = await TestHost.StartAsync(akka => akka
            .AddHocon("akka.io.tcp.maximum-frame-size = 64KiB", HoconAddMode.Prepend)
            .WithKafkaProducer<string, string>("own-frames", kafka.Bootstrap)))
        {
            var config = host.Services.GetRequiredService<ActorSystem>().Settings.Config;
            Assert.Equal(64L * 1024, config.GetByteSize("akka.io.tcp.maximum-frame-size"));
            await ProduceOne(host, "own-frames");
        }
    }

    private async Task ProduceOne(IHost host, string name)
    {
        var topic = kafka.CreateTopic("frames", 1);
        var producer = host.Services.GetRequiredService<IKafkaProducerRegistry>().Get<string, string>(name);
        var metadata = await producer.SendAsync(new ProducerRecord<string, string>(topic, "k", "v"));
        Assert.Equal(0, metadata.Offset);
    }

    [Fact]
    public async Task In_memory_configuration_with_nested_keys_and_lists()
    {
        using var host = await TestHost.StartAsync(akka => akka.WithKafkaProducer<string, string>("nested", o =>
        {
            o.BootstrapServers = kafka.Bootstrap;
            o.ConfigurationSectionPath = "Messaging:Nested";
        }), settings: new Dictionary<string, string?>
        {
            ["Messaging:Nested:linger:ms"] = "7",
            ["Messaging:Nested:Compression.Type"] = "zstd",
            ["Messaging:Nested:metric.reporters:0"] = "A",
            ["Messaging:Nested:metric.reporters:1"] = "B",
            ["Kafka:Producers:nested:linger.ms"] = "99", // not the section this producer reads
        });

        var settings = host.Services.GetRequiredService<IKafkaProducerRegistry>().GetSettings("nested");
        Assert.Equal(7, settings.LingerMs);
        Assert.Equal(CompressionType.Zstd, settings.CompressionType);
        Assert.Equal("A;B", settings.Properties["metric.reporters"]); // list entries may hold commas (assembly-qualified names)
    }

    [Fact]
    public async Task Hocon_keys_are_explicit_only_when_the_user_wrote_them()
    {
        // acks=1 in HOCON with idempotence left to reference.conf: idempotence is switched off, as in Java.
        using (var host = await TestHost.StartAsync(akka => akka
                   .AddHocon("akka.kafka.producer.acks = 1", HoconAddMode.Prepend)
                   .WithKafkaProducer<string, string>("implicit", kafka.Bootstrap)))
        {
            var settings = host.Services.GetRequiredService<IKafkaProducerRegistry>().GetSettings("implicit");
            Assert.Equal(1, settings.Acks);
            Assert.False(settings.EnableIdempotence);
        }

        // Written by the user, even with the default's value, it is explicit: the conflict is an error.
        using var conflicting = TestHost.Build(akka => akka
            .AddHocon("akka.kafka.producer { acks = 1, enable.idempotence = true }", HoconAddMode.Prepend)
            .WithKafkaProducer<string, string>("explicit", kafka.Bootstrap));
        var error = await Assert.ThrowsAsync<ConfigException>(() => conflicting.StartAsync());
        Assert.Equal(ProducerConfig.Acks, error.Key);
    }

    [Theory]
    [InlineData("code", "linger.ms")]
    [InlineData("code-compression-level-without-type", "compression.type")]
    [InlineData("code-unknown-property", "lingr.ms")]
    [InlineData("configuration", "acks")]
    [InlineData("hocon", "compression.type")]
    [InlineData("nowhere", "bootstrap.servers")]
    public async Task Invalid_settings_fail_host_start_naming_the_key(string layer, string key)
    {
        Dictionary<string, string?>? configuration = null;
        Action<AkkaConfigurationBuilder> configure = layer switch
        {
            "code" => akka => akka.WithKafkaProducer<string, string>("bad", o =>
            {
                o.BootstrapServers = kafka.Bootstrap;
                o.LingerMs = -1;
            }),
            "code-compression-level-without-type" => akka => akka.WithKafkaProducer<string, string>("bad", o =>
            {
                o.BootstrapServers = kafka.Bootstrap;
                o.CompressionLevel = 5;
            }),
            "code-unknown-property" => akka => akka.WithKafkaProducer<string, string>("bad", o =>
            {
                o.BootstrapServers = kafka.Bootstrap;
                o.Properties["lingr.ms"] = "10";
            }),
            "configuration" => akka => akka.WithKafkaProducer<string, string>("bad", kafka.Bootstrap),
            "hocon" => akka => akka
                .AddHocon("akka.kafka.producers.bad.compression.type = brotli", HoconAddMode.Prepend)
                .WithKafkaProducer<string, string>("bad", kafka.Bootstrap),
            "nowhere" => akka => akka.WithKafkaProducer<string, string>("bad", _ => { }),
            _ => throw new ArgumentOutOfRangeException(nameof(layer)),
        };
        if (layer == "configuration") configuration = new() { ["Kafka:Producers:bad:acks"] = "2" };

        using var host = TestHost.Build(configure, settings: configuration);
        var error = await Assert.ThrowsAsync<ConfigException>(() => host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(key, error.Key);
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void Options_emit_only_the_keys_that_are_set()
    {
        Assert.True(new KafkaProducerOptions().ToHocon("empty").IsEmpty);

        var options = new KafkaProducerOptions<string, string>
        {
            LingerMs = 10,
            Acks = Acks.Leader,
            CompressionType = CompressionType.Lz4,
            CompressionLevel = 12,
            EnableIdempotence = false,
            Properties = { ["connections.max.idle.ms"] = "1000" },
        };
        Assert.Equal(new Dictionary<string, string>
        {
            ["linger.ms"] = "10",
            ["acks"] = "1",
            ["compression.type"] = "lz4",
            ["compression.lz4.level"] = "12",
            ["enable.idempotence"] = "false",
            ["connections.max.idle.ms"] = "1000",
        }, options.ToProperties().OrderBy(p => p.Key).ToDictionary());

        var hocon = options.ToHocon("orders");
        Assert.Equal(10, hocon.GetInt("akka.kafka.producers.orders.linger.ms"));
        Assert.Equal("lz4", hocon.GetString("akka.kafka.producers.orders.compression.type"));
        Assert.Equal(["akka"], hocon.AsEnumerable().Select(e => e.Key));
        Assert.Equal(["producers"], hocon.GetConfig("akka.kafka").AsEnumerable().Select(e => e.Key));
        Assert.False(hocon.HasPath("akka.kafka.producers.orders.batch.size"));
        Assert.Equal(10, options.ToHocon().GetInt("akka.kafka.producer.linger.ms"));

        // The settings the options describe are valid on their own.
        var settings = ProducerSettings.FromProperties(options.ToProperties().Append(new("bootstrap.servers", "localhost:9092")));
        Assert.Equal(12, settings.CompressionLevel);
    }

    [Fact]
    public void Names_must_be_plain()
    {
        var services = new ServiceCollection();
        services.AddAkka("names", akka =>
        {
            Assert.Throws<ArgumentException>(() => akka.WithKafkaProducer<string, string>("a.b", "localhost:9092"));
            akka.WithKafkaProducer<string, string>("dup", "localhost:9092");
            Assert.Throws<ArgumentException>(() => akka.WithKafkaProducer<string, string>("dup", "localhost:9092"));
        });
        // The builder callback runs when the container builds the builder.
        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetRequiredService<AkkaConfigurationBuilder>());
    }
}
