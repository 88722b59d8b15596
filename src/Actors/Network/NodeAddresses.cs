using System.Net;
using System.Net.Sockets;

namespace KafkaActors.Network;

/// <summary>
/// client.dns.lookup = use_all_dns_ips for one broker's host name, as Java's <c>ClusterConnectionStates</c> keeps it:
/// the addresses of one lookup (those of the first address's family, as Java's <c>ClientUtils.resolve</c> keeps them),
/// each connection attempt taking the next after a failed one, a new lookup once all were tried, and a new lookup
/// after a connection that was set up is lost. Owned by one <see cref="ConnectionActor"/>; not thread-safe.
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
        var family = addresses.Count > 0 ? addresses[0].AddressFamily : AddressFamily.Unknown;
        _addresses = addresses.Where(a => a.AddressFamily == family).ToArray();
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
