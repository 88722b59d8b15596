using System.Net;
using System.Net.Sockets;
using KafkaActors.Network;

namespace KafkaActors.Metadata;

/// <summary>
/// client.dns.lookup = resolve_canonical_bootstrap_servers_only, as Java's <c>ClientUtils.parseAndValidateAddresses</c>:
/// each bootstrap host is resolved to all its addresses, and each address to its canonical host name (a reverse
/// lookup; the address itself when there is none), which becomes a bootstrap server of its own. A host that does not
/// resolve is skipped. Stateless and thread-safe.
/// </summary>
internal static class BootstrapResolver
{
    /// <summary>The canonical bootstrap servers, numbered -1, -2, … as bootstrap endpoints are; empty when nothing resolved.</summary>
    public static async Task<IReadOnlyList<BrokerEndpoint>> ResolveCanonicalAsync(IReadOnlyList<BrokerEndpoint> servers, CancellationToken cancel)
    {
        var resolved = new List<BrokerEndpoint>();
        foreach (var server in servers)
        {
            IPAddress[] addresses;
            try
            {
                addresses = await Dns.GetHostAddressesAsync(server.Host, cancel).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                continue; // Java: "Couldn't resolve server ... as DNS resolution failed"
            }
            foreach (var address in addresses)
            {
                var canonical = await CanonicalNameAsync(address).ConfigureAwait(false);
                if (resolved.Exists(e => e.Port == server.Port && string.Equals(e.Host, canonical, StringComparison.OrdinalIgnoreCase))) continue;
                resolved.Add(new BrokerEndpoint(-(resolved.Count + 1), canonical, server.Port));
            }
        }
        return resolved;
    }

    /// <summary>Java's <c>InetAddress.getCanonicalHostName</c>: the name a reverse lookup gives, else the address as text.</summary>
    private static async Task<string> CanonicalNameAsync(IPAddress address)
    {
        try
        {
            var entry = await Dns.GetHostEntryAsync(address).ConfigureAwait(false);
            return string.IsNullOrEmpty(entry.HostName) ? address.ToString() : entry.HostName;
        }
        catch (SocketException)
        {
            return address.ToString();
        }
    }
}
