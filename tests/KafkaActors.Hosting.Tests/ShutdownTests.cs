using System.Diagnostics;
using System.Text;
using KafkaActors.Hosting.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace KafkaActors.Hosting.Tests;

/// <summary>Stopping the host runs CoordinatedShutdown, whose service-stop phase closes the producer: buffered records go out.</summary>
[Collection(nameof(KafkaCollection))]
public sealed class ShutdownTests(KafkaCluster kafka)
{
    [Fact]
    public async Task Stopping_the_host_flushes_records_that_linger()
    {
        const int count = 200;
        var topic = kafka.CreateTopic("shutdown", 3);
        var host = await TestHost.StartAsync(akka => akka.WithKafkaProducer<string, string>("lingering", o =>
        {
            o.BootstrapServers = kafka.Bootstrap;
            // Far longer than the test waits: only the close on shutdown can send these batches in time.
            o.LingerMs = 5000;
        }));
        var producer = host.Services.GetRequiredService<IKafkaProducerRegistry>().Get<string, string>("lingering");

        // SendAsync appends before it returns, so every record is in the accumulator when the host stops.
        var sends = Enumerable.Range(0, count)
            .Select(i => producer.SendAsync(new ProducerRecord<string, string>(topic, $"k{i}", $"v{i}")))
            .ToArray();
        Assert.DoesNotContain(sends, s => s.IsCompleted);

        var stopwatch = Stopwatch.StartNew();
        await host.StopAsync();
        host.Dispose();
        stopwatch.Stop();

        Assert.All(sends, s => Assert.True(s.IsCompletedSuccessfully, s.Exception?.ToString()));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"Stopping took {stopwatch.Elapsed}: the batches waited for linger.ms.");
        var found = kafka.ReadAll(topic);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"v{i}").Order(), found.Select(r => Encoding.UTF8.GetString(r.Value!)).Order());
    }
}
