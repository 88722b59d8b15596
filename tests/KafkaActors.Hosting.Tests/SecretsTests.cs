using Akka.Actor;
using KafkaActors.Hosting.Tests.Support;
using KafkaActors.Security;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace KafkaActors.Hosting.Tests;

/// <summary>Secrets given to a hosted producer reach its settings but not the ActorSystem's HOCON, ToString() or Properties.</summary>
public sealed class SecretsTests
{
    private const string Password = "Hosted-S3cret-Pa55";

    private sealed class NoTokens : IOAuthBearerTokenProvider
    {
        public ValueTask<OAuthBearerToken> GetTokenAsync(CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not called in this test");
    }

    [Fact]
    public async Task Secrets_in_options_are_used_but_not_put_in_the_actor_systems_config()
    {
        var provider = new NoTokens();
        // Nothing listens on port 9 of loopback: the producer only retries connecting while the test looks at settings.
        using var host = await TestHost.StartAsync(akka => akka
            .WithKafkaProducer<string, string>("secure", o =>
            {
                o.BootstrapServers = "127.0.0.1:9";
                o.Properties["security.protocol"] = "SASL_PLAINTEXT";
                o.Properties["sasl.mechanism"] = "PLAIN";
                o.Properties["sasl.jaas.config"] = $"org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"{Password}\";";
                o.OAuthBearerTokenProvider = provider;
                Assert.DoesNotContain(Password, o.ToString());
            }));

        var settings = host.Services.GetRequiredService<IKafkaProducerRegistry>().GetSettings("secure");
        Assert.Equal(SecurityProtocol.SaslPlaintext, settings.SecurityProtocol);
        Assert.Equal(Password, settings.Sasl!.Password!.Value);
        Assert.Same(provider, settings.OAuthBearerTokenProvider);
        Assert.DoesNotContain(Password, settings.ToString());
        Assert.Equal("[hidden]", settings.Properties["sasl.jaas.config"]);

        var config = host.Services.GetRequiredService<ActorSystem>().Settings.Config;
        Assert.Equal("SASL_PLAINTEXT", config.GetString("akka.kafka.producers.secure.security.protocol"));
        Assert.DoesNotContain(Password, config.ToString(includeFallback: true));
    }
}
