using System.Text;
using KafkaActors.Settings;
using KafkaActors.Tests.Support;
using Xunit;

namespace KafkaActors.Tests.Network;

/// <summary>client.dns.lookup end to end: a producer whose bootstrap servers are resolved to canonical names still finds the cluster.</summary>
public sealed class DnsLookupTests
{
    [Theory]
    [InlineData("use_all_dns_ips", "localhost")]
    [InlineData("resolve_canonical_bootstrap_servers_only", "127.0.0.1")]
    public async Task A_producer_delivers_with_either_lookup(string lookup, string host)
    {
        await using var kafka = PlaintextFront.Start();
        var topic = kafka.CreateTopic("dns");
        var bootstrap = $"{host}:{kafka.Listener(1).Port}";
        await using var producer = Producers.Strings(bootstrap, (ProducerConfig.ClientDnsLookup, lookup), (ProducerConfig.LingerMs, "0"));
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, 0, "k", "v")).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["v"], kafka.ReadAll(topic).Select(r => Encoding.UTF8.GetString(r.Value!)));
        Assert.True(kafka.Listener(1).ConnectionsAccepted >= 1);
    }
}
