using System.Net;
using System.Net.Sockets;
using KafkaActors.Metadata;
using KafkaActors.Network;
using KafkaActors.Protocol;
using KafkaActors.Protocol.Messages;
using KafkaActors.Settings;
using Xunit;

namespace KafkaActors.Tests.Network;

/// <summary>
/// The connection and metadata policies without actors: the setup timeout's schedule (Java's ClusterConnectionStates),
/// when throttling applies (KIP-219), the address rotation of use_all_dns_ips, when metadata rebootstraps (KIP-899,
/// KIP-1102), and canonical bootstrap names.
/// </summary>
public sealed class ConnectionPolicyTests
{
    [Fact]
    public void Setup_timeout_doubles_per_consecutive_failure_up_to_the_max_with_jitter()
    {
        // No jitter (random 0.5 is the middle): 1 s, 2 s, 4 s, 8 s, then the 10 s cap for ever.
        Assert.Equal([1000, 2000, 4000, 8000, 10000, 10000, 10000],
            Enumerable.Range(0, 7).Select(n => ConnectionSetupTimeout.For(1000, 10000, n, random: 0.5).TotalMilliseconds));
        // ±20% jitter around the term, and the cap holds after the jitter (as Java's ExponentialBackoff).
        Assert.Equal(800, ConnectionSetupTimeout.For(1000, 10000, 0, random: 0).TotalMilliseconds);
        Assert.Equal(1200, ConnectionSetupTimeout.For(1000, 10000, 0, random: 1).TotalMilliseconds, 1);
        Assert.Equal(10000, ConnectionSetupTimeout.For(1000, 10000, 4, random: 1).TotalMilliseconds);
        Assert.Equal(6400, ConnectionSetupTimeout.For(1000, 10000, 3, random: 0).TotalMilliseconds);
        // A max below the initial value: the initial value, as Java takes max(initial, max); no overflow far out.
        Assert.Equal(5000, ConnectionSetupTimeout.For(5000, 1000, 3, random: 0.5).TotalMilliseconds);
        Assert.Equal(30000, ConnectionSetupTimeout.For(10000, 30000, int.MaxValue, random: 0.5).TotalMilliseconds);
        // The defaults: 10 s, 20 s, then 30 s.
        var options = Options(setupMs: 10000, setupMaxMs: 30000);
        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(options.ConnectionSetupTimeoutAfter(0).TotalMilliseconds, 8000, 12000);
            Assert.InRange(options.ConnectionSetupTimeoutAfter(1).TotalMilliseconds, 16000, 24000);
            Assert.InRange(options.ConnectionSetupTimeoutAfter(2).TotalMilliseconds, 24000, 30000);
            Assert.InRange(options.ConnectionSetupTimeoutAfter(9).TotalMilliseconds, 24000, 30000);
        }
    }

    [Fact]
    public void Throttle_mutes_only_from_the_KIP_219_versions_and_lasts_the_longest_time_given()
    {
        var throttle = new ConnectionThrottle();
        Assert.False(throttle.OnResponse(ApiKey.Produce, 5, 1000, nowMs: 0)); // v5: the broker delayed its answer instead
        Assert.False(throttle.IsThrottled(1));
        Assert.False(throttle.OnResponse(ApiKey.Produce, 10, 0, nowMs: 0));
        Assert.True(throttle.OnResponse(ApiKey.Produce, 6, 1000, nowMs: 100));
        Assert.True(throttle.OnResponse(ApiKey.Metadata, 12, 200, nowMs: 150)); // a shorter one does not shorten it
        Assert.True(throttle.IsThrottled(1099));
        Assert.Equal(1, throttle.RemainingMs(1099));
        Assert.False(throttle.IsThrottled(1100));
        Assert.False(throttle.OnResponse(ApiKey.SaslAuthenticate, 2, 500, nowMs: 2000));
        Assert.False(throttle.OnResponse(ApiKey.Metadata, 5, 500, nowMs: 2000));
        Assert.True(throttle.OnResponse(ApiKey.InitProducerId, 1, 500, nowMs: 2000));
    }

    [Fact]
    public void Leading_throttle_time_is_read_where_the_response_has_it()
    {
        byte[] body = [0, 0, 0x05, 0xDC, 0, 0];
        Assert.Equal(1500, ResponseThrottle.PeekLeading(ApiKey.Metadata, 12, body));
        Assert.Equal(0, ResponseThrottle.PeekLeading(ApiKey.Metadata, 2, body)); // Metadata v0-2 has no throttle time
        Assert.Equal(1500, ResponseThrottle.PeekLeading(ApiKey.EndTxn, 0, body));
        Assert.Equal(0, ResponseThrottle.PeekLeading(ApiKey.FindCoordinator, 0, body));
        Assert.Equal(0, ResponseThrottle.PeekLeading(ApiKey.Produce, 10, body));
        Assert.Equal(0, ResponseThrottle.PeekLeading(ApiKey.EndTxn, 1, [0, 0]));
    }

    [Fact]
    public void Use_all_dns_ips_takes_the_next_address_after_each_failed_attempt_and_looks_up_again_after_the_last()
    {
        var addresses = new NodeAddresses();
        Assert.True(addresses.NeedsLookup);
        var a = IPAddress.Parse("10.0.0.1");
        var b = IPAddress.Parse("10.0.0.2");
        Assert.True(addresses.OnLookup([IPAddress.IPv6Loopback, a, b])); // IPv4 first, in the order given, then the rest
        Assert.Equal(a, addresses.Current);
        addresses.OnConnectFailed();
        Assert.Equal(b, addresses.Current);
        addresses.OnConnectFailed();
        Assert.Equal(IPAddress.IPv6Loopback, addresses.Current);
        addresses.OnConnectFailed();
        Assert.True(addresses.NeedsLookup);
        Assert.True(addresses.OnLookup([a, b]));
        addresses.OnConnectionLost(); // a connection that was set up is lost: look the name up again
        Assert.True(addresses.NeedsLookup);
        Assert.False(addresses.OnLookup([]));
        Assert.True(addresses.NeedsLookup);
    }

    [Fact]
    public void Rebootstrap_when_every_known_broker_failed_or_after_the_trigger_time_and_never_with_none()
    {
        var recovery = new MetadataRecovery(MetadataRecoveryStrategy.Rebootstrap, rebootstrapTriggerMs: 1000);
        Assert.False(recovery.TryRebootstrap(0, failuresInARow: 5, knownBrokers: 0, out _)); // still bootstrapping
        recovery.OnAttempt(0);
        Assert.False(recovery.TryRebootstrap(100, failuresInARow: 2, knownBrokers: 3, out _));
        Assert.True(recovery.TryRebootstrap(200, failuresInARow: 3, knownBrokers: 3, out var why));
        Assert.Contains("3 known broker", why);
        Assert.True(recovery.Rebootstrapping);
        Assert.False(recovery.TryRebootstrap(300, failuresInARow: 4, knownBrokers: 3, out _)); // already
        recovery.OnAnswer();
        Assert.False(recovery.Rebootstrapping);

        // No answer for the trigger time since the first attempt after the last answer, even with brokers left to try.
        recovery.OnAttempt(5000);
        recovery.OnAttempt(5500);
        Assert.False(recovery.TryRebootstrap(5999, failuresInARow: 1, knownBrokers: 3, out _));
        Assert.True(recovery.TryRebootstrap(6000, failuresInARow: 1, knownBrokers: 3, out why));
        Assert.Contains("metadata.recovery.rebootstrap.trigger.ms", why);

        var none = new MetadataRecovery(MetadataRecoveryStrategy.None, rebootstrapTriggerMs: 1000);
        none.OnAttempt(0);
        Assert.False(none.TryRebootstrap(100_000, failuresInARow: 100, knownBrokers: 1, out _));
        Assert.False(none.Rebootstrapping);
    }

    [Fact]
    public async Task Canonical_bootstrap_servers_are_the_reverse_lookups_of_each_address()
    {
        var expected = (await Dns.GetHostEntryAsync(IPAddress.Loopback)).HostName;
        Assert.NotEqual("127.0.0.1", expected); // this machine has a name for the loopback address
        var resolved = await BootstrapResolver.ResolveCanonicalAsync(
            [BrokerEndpoint.Parse(-1, "127.0.0.1:9092"), BrokerEndpoint.Parse(-2, "no-such-host.invalid:9093"), BrokerEndpoint.Parse(-3, "127.0.0.1:9094")],
            CancellationToken.None);
        Assert.Equal([new BrokerEndpoint(-1, expected, 9092), new BrokerEndpoint(-2, expected, 9094)], resolved);
    }

    [Fact]
    public void The_new_keys_are_read_and_checked()
    {
        var defaults = ProducerSettings.Create("localhost:9092");
        Assert.Equal(MetadataRecoveryStrategy.Rebootstrap, defaults.MetadataRecoveryStrategy);
        Assert.Equal(300_000, defaults.MetadataRecoveryRebootstrapTriggerMs);
        Assert.Equal(ClientDnsLookup.UseAllDnsIps, defaults.ClientDnsLookup);
        var set = defaults.WithProperties([
            new(ProducerConfig.MetadataRecoveryStrategy, "NONE"),
            new(ProducerConfig.ClientDnsLookup, "resolve_canonical_bootstrap_servers_only"),
            new(ProducerConfig.ConnectionsMaxIdleMs, "-1"),
        ]);
        Assert.Equal(MetadataRecoveryStrategy.None, set.MetadataRecoveryStrategy);
        Assert.Equal(ClientDnsLookup.ResolveCanonicalBootstrapServersOnly, set.ClientDnsLookup);
        Assert.Equal(-1, set.ConnectionsMaxIdleMs);
        Assert.Throws<KafkaActors.Errors.ConfigException>(() => defaults.WithProperty(ProducerConfig.MetadataRecoveryStrategy, "sometimes"));
        Assert.Throws<KafkaActors.Errors.ConfigException>(() => defaults.WithProperty(ProducerConfig.ClientDnsLookup, "default"));
        Assert.Throws<KafkaActors.Errors.ConfigException>(() => defaults.WithProperty(ProducerConfig.MetadataRecoveryRebootstrapTriggerMs, "-1"));
    }

    private static ConnectionOptions Options(long setupMs, long setupMaxMs) =>
        new("test", -1, 5, 30000, 1 << 20, 50, 1000, setupMs, setupMaxMs, 540000, -1, -1);
}
