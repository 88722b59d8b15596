using System.Net;
using System.Net.Sockets;

namespace KafkaActors.Network;

/// <summary>
/// client.dns.lookup = use_all_dns_ips for one broker's host name, as Java's <c>ClusterConnectionStates</c> keeps it:
/// the addresses of one lookup, each connection attempt taking the next after a failed one, a new lookup once all
/// were tried, and a new lookup after a connection that was set up is lost. IPv4 addresses come first, as a JVM
/// without java.net.preferIPv6Addresses orders them; unlike Java's <c>ClientUtils.resolve</c>, which keeps only the
/// first address's family, every address is kept, so a name whose first answer is an IPv6 address a broker does not
/// listen on still reaches its IPv4 one. Owned by one <see cref="ConnectionActor"/>; not thread-safe.
/// </summary>
internal sealed class NodeAddresses
{
    private IPAddress[] _addresses = [];
    private int _index;

    /// <summary>True when the next attempt needs a (new) lookup first.</summary>
    public bool NeedsLookup => _index >= _addresses.Length;

    /// <summary>The address for the next connection attempt; only when <see cref="NeedsLookup"/> is false.</summary>
    public IPAddress Current => _addresses[_index];

    /// <summary>A lookup's answer; false when it holds no usable address.</summary>
    public bool OnLookup(IReadOnlyList<IPAddress> addresses)
    {
        _addresses = addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).ToArray(); // stable: IPv4 first
        _index = 0;
        return _addresses.Length > 0;
    }

    /// <summary>The connection attempt to <see cref="Current"/> failed: the next attempt takes the next address.</summary>
    public void OnConnectFailed() => _index++;

    /// <summary>A connection that was set up is lost: the next attempt looks the name up again.</summary>
    public void OnConnectionLost()
    {
        _addresses = [];
        _index = 0;
    }
}
