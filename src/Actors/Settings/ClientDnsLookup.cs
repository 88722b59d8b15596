namespace KafkaActors.Settings;

/// <summary><c>client.dns.lookup</c>: how host names of brokers and bootstrap servers become addresses (Java's <c>ClientDnsLookup</c>). Immutable.</summary>
public enum ClientDnsLookup
{
    /// <summary><c>use_all_dns_ips</c>: every address of a host name is tried in turn, the next one after a failed connection attempt.</summary>
    UseAllDnsIps,

    /// <summary>
    /// <c>resolve_canonical_bootstrap_servers_only</c>: each bootstrap host is resolved to its addresses, and each address
    /// to its canonical host name (a reverse lookup), which becomes a bootstrap server of its own; as Kerberos setups need.
    /// </summary>
    ResolveCanonicalBootstrapServersOnly,
}
