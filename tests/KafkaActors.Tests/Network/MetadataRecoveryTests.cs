using System.Text;
using KafkaActors.Settings;
using KafkaActors.Testing;
using KafkaActors.Testing.Secure;
using KafkaActors.Tests.Support;
using Xunit;

namespace KafkaActors.Tests.Network;

/// <summary>
/// metadata.recovery.strategy (KIP-899): the producer knows broker 1 at one address (its advertised front listener, from
/// Metadata) and bootstraps from another (a second listener of the same broker that Metadata does not name). Then the
/// known listener stops and the broker moves to the bootstrap address. With rebootstrap the producer asks the bootstrap
/// servers again, learns the new address and delivers; with none it keeps trying the known one.
/// </summary>
public sealed class MetadataRecoveryTests
{
    [Fact]
    public async Task Rebootstrap_after_every_known_broker_is_gone()
    {
        await using var kafka = PlaintextFront.Start();
        var topic = kafka.CreateTopic("rebootstrap");
        var known = kafka.Listener(1);
        var bootstrap = kafka.AddListener(1);
        await using var producer = Producers.Strings(bootstrap.Address, (ProducerConfig.LingerMs, "0"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, "k", "v0")).WaitAsync(TimeSpan.FromSeconds(30));
        await Poll.Until(() => bootstrap.ConnectionsOpen == 0, TimeSpan.FromSeconds(10), "the bootstrap connection is released");
        Assert.Equal(1, bootstrap.ConnectionsAccepted);

        kafka.Cluster.SetBrokerHostPort(1, "127.0.0.1", bootstrap.Port);
        await known.StopAsync();
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, "k", "v1")).WaitAsync(TimeSpan.FromSeconds(30));

        // The metadata that named the new address came from the bootstrap server, asked again.
        Assert.True(bootstrap.ConnectionsAccepted >= 2, $"{bootstrap.ConnectionsAccepted} connection(s) to the bootstrap address");
        var atBootstrap = kafka.RequestLog.RequestsTo(bootstrap);
        Assert.Contains(atBootstrap, r => r.ApiKey == ApiKeys.Metadata);
        Assert.Contains(atBootstrap, r => r.ApiKey == ApiKeys.Produce);
        var values = kafka.ReadAll(topic).Select(r => Encoding.UTF8.GetString(r.Value!));
        Assert.Equal(["v0", "v1"], values);
    }

    [Fact]
    public async Task Rebootstrap_when_the_known_brokers_give_no_metadata_for_the_trigger_time()
    {
        const int TriggerMs = 2000;
        await using var kafka = PlaintextFront.Start();
        var topic = kafka.CreateTopic("rebootstrap-trigger");
        var known = kafka.Listener(1);
        var bootstrap = kafka.AddListener(1);
        await using var producer = Producers.Strings(bootstrap.Address, (ProducerConfig.LingerMs, "0"),
            (ProducerConfig.MetadataMaxAgeMs, "300"), (ProducerConfig.MetadataRecoveryRebootstrapTriggerMs, TriggerMs.ToString()));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, "k", "v0")).WaitAsync(TimeSpan.FromSeconds(30));
        await Poll.Until(() => bootstrap.ConnectionsOpen == 0, TimeSpan.FromSeconds(10), "the bootstrap connection is released");
        var bootstrapRequests = kafka.RequestLog.RequestsTo(bootstrap).Count;

        // The broker stops listing itself: every Metadata answer names no broker, which is no metadata (as in Java).
        var hidden = System.Diagnostics.Stopwatch.GetTimestamp();
        kafka.Cluster.RemoveBrokerFromMetadata(1);
        FrontRequest? MetadataAtBootstrap() => kafka.RequestLog.RequestsTo(bootstrap).Skip(bootstrapRequests).FirstOrDefault(r => r.ApiKey == ApiKeys.Metadata);
        // A new connection's ApiVersions comes first: wait for the Metadata request itself.
        await Poll.Until(() => MetadataAtBootstrap() is not null, TimeSpan.FromSeconds(30), "a metadata request reaches the bootstrap address");
        var asked = MetadataAtBootstrap()!;
        var afterMs = System.Diagnostics.Stopwatch.GetElapsedTime(hidden, asked.ArrivedTicks).TotalMilliseconds;

        // Until the trigger time the known broker was asked, and answered, again and again; then the bootstrap servers.
        Assert.True(afterMs >= TriggerMs - 350, $"the bootstrap address was asked {afterMs:0} ms after metadata stopped (trigger {TriggerMs} ms)");
        var meanwhile = kafka.RequestLog.RequestsTo(known).Count(r => r.ApiKey == ApiKeys.Metadata && r.ArrivedTicks > hidden && r.ArrivedTicks < asked.ArrivedTicks);
        Assert.True(meanwhile >= 3, $"{meanwhile} metadata request(s) to the known broker before rebootstrapping");
    }

    [Fact]
    public async Task Strategy_none_keeps_to_the_known_brokers()
    {
        await using var kafka = PlaintextFront.Start();
        var topic = kafka.CreateTopic("no-rebootstrap");
        var known = kafka.Listener(1);
        var bootstrap = kafka.AddListener(1);
        await using var producer = Producers.Strings(bootstrap.Address, (ProducerConfig.LingerMs, "0"),
            (ProducerConfig.MetadataRecoveryStrategy, "none"), (ProducerConfig.MetadataMaxAgeMs, "200"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, "k", "v0")).WaitAsync(TimeSpan.FromSeconds(30));
        await Poll.Until(() => bootstrap.ConnectionsOpen == 0, TimeSpan.FromSeconds(10), "the bootstrap connection is released");
        var bootstrapRequests = kafka.RequestLog.RequestsTo(bootstrap).Count;

        kafka.Cluster.SetBrokerHostPort(1, "127.0.0.1", bootstrap.Port);
        await known.StopAsync();
        var send = producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, "k", "v1"));
        // Several seconds of failed metadata requests to the known broker (retry.backoff.max.ms is 1 s) and never the bootstrap address.
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.False(send.IsCompleted, $"the record was {(send.IsFaulted ? $"failed: {send.Exception!.InnerException!.Message}" : "delivered")}");
        Assert.Equal(1, bootstrap.ConnectionsAccepted);
        Assert.Equal(bootstrapRequests, kafka.RequestLog.RequestsTo(bootstrap).Count);
        Assert.Equal(["v0"], kafka.ReadAll(topic).Select(r => Encoding.UTF8.GetString(r.Value!)));
        await producer.CloseAsync(TimeSpan.Zero); // the record cannot be delivered: don't wait for it
        await Assert.ThrowsAnyAsync<Exception>(() => send);
    }
}
