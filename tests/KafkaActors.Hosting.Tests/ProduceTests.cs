using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using Akka.Streams.Dsl;
using KafkaActors.Hosting.Tests.Support;
using KafkaActors.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace KafkaActors.Hosting.Tests;

/// <summary>A hosted producer takes records three ways: Tell to the injected actor, SendAsync on the facade, and a KafkaSink.</summary>
[Collection(nameof(KafkaCollection))]
public sealed class ProduceTests(KafkaCluster kafka)
{
    private const int Partitions = 3;
    private const int PerPath = 300;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Marker of the producer actor in the ActorRegistry.</summary>
    private sealed class OrdersProducer;

    [Fact]
    public async Task Records_told_sent_and_streamed_are_all_read_back()
    {
        var topic = kafka.CreateTopic("hosted", Partitions);
        using var host = await TestHost.StartAsync(akka => akka.WithKafkaProducer<OrdersProducer, string, string>("orders", o =>
        {
            o.BootstrapServers = kafka.Bootstrap;
            o.LingerMs = 2;
        }));

        // Tell: Ask stands in for a sending actor; the reply is Delivered with the correlation.
        var actor = host.Services.GetRequiredService<IRequiredActor<OrdersProducer>>().ActorRef;
        var replies = await Task.WhenAll(Enumerable.Range(0, PerPath).Select(i =>
            actor.Ask<object>(new Produce<string, string>(new ProducerRecord<string, string>(topic, $"k{i % 17}", $"told-{i}"), Correlation: i), Timeout)));
        var delivered = replies.Select(r => Assert.IsType<Delivered>(r)).ToList();
        Assert.Equal(Enumerable.Range(0, PerPath), delivered.Select(d => (int)d.Correlation!).Order());

        // The same producer through the registry: facade and actor are one.
        var registry = host.Services.GetRequiredService<IKafkaProducerRegistry>();
        var producer = registry.Get<string, string>("orders");
        Assert.Equal(actor, producer.Actor);
        Assert.Equal(actor, registry.GetActor("orders"));
        Assert.Equal(["orders"], registry.Names);
        var sent = await Task.WhenAll(Enumerable.Range(0, PerPath).Select(i =>
            producer.SendAsync(new ProducerRecord<string, string>(topic, $"k{i % 17}", $"sent-{i}")))).WaitAsync(Timeout);

        // A stream in the hosted system.
        var system = host.Services.GetRequiredService<ActorSystem>();
        await Source.From(Enumerable.Range(0, PerPath))
            .Select(i => new ProducerRecord<string, string>(topic, $"k{i % 17}", $"streamed-{i}"))
            .RunWith(KafkaSink.Create(producer), system.Materializer())
            .WaitAsync(Timeout);

        await host.StopAsync();

        var found = kafka.ReadAll(topic);
        Assert.Equal(3 * PerPath, found.Count);
        var byValue = found.ToDictionary(r => Encoding.UTF8.GetString(r.Value!));
        foreach (var prefix in new[] { "told", "sent", "streamed" })
        {
            for (var i = 0; i < PerPath; i++)
            {
                var record = byValue[$"{prefix}-{i}"];
                Assert.Equal($"k{i % 17}", Encoding.UTF8.GetString(record.Key!));
            }
        }
        // What the producer reported is where the records are.
        foreach (var metadata in delivered.Select(d => d.Metadata).Concat(sent))
        {
            Assert.Contains(found, r => r.Partition == metadata.Partition && r.Offset == metadata.Offset);
        }
        // One key, one partition, whichever path it took.
        Assert.All(found.GroupBy(r => Encoding.UTF8.GetString(r.Key!)), g => Assert.Single(g.Select(r => r.Partition).Distinct()));
    }

    [Fact]
    public async Task Producers_without_a_marker_are_found_by_name_and_type()
    {
        var topic = kafka.CreateTopic("plain", 1);
        using var host = await TestHost.StartAsync(akka => akka
            .WithKafkaProducer<string, string>("strings", kafka.Bootstrap)
            .WithKafkaProducer<int, byte[]>("bytes", o => o.BootstrapServers = kafka.Bootstrap));

        var registry = host.Services.GetRequiredService<IKafkaProducerRegistry>();
        Assert.Equal(["bytes", "strings"], registry.Names.Order());
        Assert.Equal("strings", registry.GetSettings("strings").ClientId);
        Assert.False(registry.TryGet<string, string>("bytes", out _));
        Assert.Throws<InvalidCastException>(() => registry.Get<string, string>("bytes"));
        Assert.Throws<KeyNotFoundException>(() => registry.Get<string, string>("missing"));

        var metadata = await registry.Get<int, byte[]>("bytes").SendAsync(new ProducerRecord<int, byte[]>(topic, 42, [1, 2, 3])).WaitAsync(Timeout);
        await host.StopAsync();

        var record = Assert.Single(kafka.ReadAll(topic));
        Assert.Equal(metadata.Offset, record.Offset);
        Assert.Equal(new byte[] { 0, 0, 0, 42 }, record.Key);
        Assert.Equal(new byte[] { 1, 2, 3 }, record.Value);
    }
}
