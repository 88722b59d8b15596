using System.Text;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KafkaActors.Hosting.Tests.Support;

/// <summary>A real generic Host running Akka.Hosting, as an application would build it (minus console logging).</summary>
public static class TestHost
{
    /// <summary>Quiet Akka logs.</summary>
    private const string AkkaHocon = """
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        """;

    /// <summary>Builds (does not start) a host; <paramref name="json"/> is an appsettings.json document.</summary>
    public static IHost Build(Action<AkkaConfigurationBuilder> akka, string? json = null, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        if (json is not null) builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Services
            .AddAkka($"hosting-test-{Guid.NewGuid():N}", b =>
            {
                b.AddHocon(AkkaHocon, HoconAddMode.Prepend);
                akka(b);
            })
            .AddKafkaProducerRegistry();
        return builder.Build();
    }

    public static async Task<IHost> StartAsync(Action<AkkaConfigurationBuilder> akka, string? json = null, IDictionary<string, string?>? settings = null)
    {
        var host = Build(akka, json, settings);
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return host;
    }
}
