using System.Text;
using KafkaActors.Settings;
using KafkaActors.Tests.Support;
using Xunit;

namespace KafkaActors.Tests.Network;

/// <summary>
/// connections.max.idle.ms, as Java's Selector expires idle channels: a broker connection with nothing to do for
/// that long is closed; one in use is not; the next send opens a new one and nothing is lost. Connections are
/// counted at the broker's listener on the embedded cluster's front (every TCP connection of the producer passes it).
/// </summary>
public sealed class IdleConnectionTests
{
    [Fact]
    public async Task Idle_connections_close_and_are_reopened_on_demand_with_nothing_lost()
    {
        await using var kafka = PlaintextFront.Start();
        var topic = kafka.CreateTopic("idle");
        var listener = kafka.Listener(1);
        await using var producer = Producers.Strings(listener.Address, (ProducerConfig.ConnectionsMaxIdleMs, "2000"), (ProducerConfig.LingerMs, "0"));

        // A connection in use stays: a record every 100 ms for over 3 s, well past the idle time, on one connection.
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, "k", "v0")).WaitAsync(TimeSpan.FromSeconds(30));
        await Poll.Until(() => listener.ConnectionsOpen == 1, TimeSpan.FromSeconds(10), () => $"the bootstrap connection closes: {listener.ConnectionsOpen} open");
        var accepted = listener.ConnectionsAccepted;
        for (var i = 1; i <= 30; i++)
        {
            await producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, "k", $"v{i}")).WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(100);
        }
        Assert.Equal(accepted, listener.ConnectionsAccepted);
        Assert.Equal(1, listener.ConnectionsOpen);

        // Idle: the producer closes it (the front sees the connection end).
        await Poll.Until(() => listener.ConnectionsOpen == 0, TimeSpan.FromSeconds(15), () => $"the idle connection closes: {listener.ConnectionsOpen} open");
        Assert.Equal(accepted, listener.ConnectionsAccepted);

        // The next sends open a new connection; every record of before and after is there once, in order.
        var sends = Enumerable.Range(31, 10).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, "k", $"v{i}"))).ToList();
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(accepted + 1, listener.ConnectionsAccepted);
        var values = kafka.ReadAll(topic).Select(r => Encoding.UTF8.GetString(r.Value!));
        Assert.Equal(Enumerable.Range(0, 41).Select(i => $"v{i}"), values);
    }
}
