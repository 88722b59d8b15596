using Akka.Actor;
using KafkaActors.Errors;
using KafkaActors.Metadata;
using KafkaActors.Metrics;

namespace KafkaActors.Network;

/// <summary>
/// The producer's broker connections, as Java's <c>NetworkClient</c> keeps them: one <see cref="ConnectionActor"/>
/// per broker, shared by Produce (partition actors), Metadata (the <see cref="MetadataActor"/>, through
/// <see cref="SendTo"/>) and InitProducerId. Bootstrap addresses (negative node ids) get connections of their own,
/// used by metadata only until it names the brokers (<see cref="ReleaseBootstrap"/>).
/// A handler of the ProducerActor, whose children the connections are (their StateChanged goes to it):
/// owned by that actor, not thread-safe.
/// </summary>
internal sealed class BrokerConnections(IActorContext context, ConnectionOptions options, ProducerMetrics metrics)
{
    /// <summary>From the metadata actor: send <see cref="Request"/> over the connection to <see cref="Node"/>; the answer goes to the request's ReplyTo.</summary>
    internal sealed record SendTo(BrokerEndpoint Node, ConnectionActor.Request Request) : INoSerializationVerificationNeeded;

    /// <summary>From the metadata actor: it knows the brokers, so the bootstrap connections close.</summary>
    internal sealed class ReleaseBootstrap : INoSerializationVerificationNeeded
    {
        public static readonly ReleaseBootstrap Instance = new();
        private ReleaseBootstrap() { }
    }

    private sealed record Connection(BrokerEndpoint Endpoint, IActorRef Actor);

    private readonly Dictionary<int, Connection> _byNode = new();
    private int _generation;
    private bool _closed;

    /// <summary>
    /// The connection to broker <paramref name="nodeId"/> at the address <paramref name="snapshot"/> gives it: created on
    /// first use, re-created when the address changes; the existing one when the snapshot no longer names the broker;
    /// null when there is none, or the producer is closing.
    /// </summary>
    public IActorRef? To(int nodeId, ClusterSnapshot snapshot)
    {
        if (_closed) return null;
        if (!snapshot.Brokers.TryGetValue(nodeId, out var broker))
            return _byNode.TryGetValue(nodeId, out var known) ? known.Actor : null;
        return To(new BrokerEndpoint(nodeId, broker.Host, broker.Port));
    }

    /// <summary>A metadata request: over the broker's shared connection, or a bootstrap address's own; failed at once once closing.</summary>
    public void OnSendTo(SendTo send, ClusterSnapshot snapshot)
    {
        var connection = send.Node.NodeId >= 0 ? To(send.Node.NodeId, snapshot) ?? To(send.Node) : To(send.Node);
        var request = send.Request;
        if (connection is null)
            request.ReplyTo.Tell(new ConnectionActor.RequestFailed(request.Token, new ProducerClosedException("The producer is closing."), send.Node.NodeId));
        else
            connection.Tell(request);
    }

    /// <summary>
    /// Closes the bootstrap connections. Only the metadata actor uses them, and it has nothing in flight when it
    /// releases them (one request at a time, the last one answered), so nothing is lost; a later rebootstrap
    /// (metadata.recovery.strategy, see <see cref="MetadataRecovery"/>) opens new ones.
    /// </summary>
    public void OnReleaseBootstrap()
    {
        foreach (var (nodeId, connection) in _byNode.Where(c => c.Key < 0).ToList())
        {
            _byNode.Remove(nodeId);
            context.Stop(connection.Actor);
        }
    }

    /// <summary>Closing: no connection is made from now on; each one open is told to shut down (answering Closed to <paramref name="replyTo"/>). Returns how many.</summary>
    public int ShutdownAll(IActorRef replyTo)
    {
        _closed = true;
        foreach (var connection in _byNode.Values) connection.Actor.Tell(ConnectionActor.Shutdown.Instance, replyTo);
        return _byNode.Count;
    }

    private IActorRef? To(BrokerEndpoint endpoint)
    {
        if (_closed) return null;
        if (_byNode.TryGetValue(endpoint.NodeId, out var existing))
        {
            if (existing.Endpoint == endpoint) return existing.Actor;
            context.Stop(existing.Actor);
        }
        var name = endpoint.NodeId >= 0 ? $"broker-{endpoint.NodeId}-{++_generation}" : $"bootstrap-{-endpoint.NodeId}-{++_generation}";
        var actor = context.ActorOf(ConnectionActor.Props(endpoint, options, metrics), name);
        _byNode[endpoint.NodeId] = new Connection(endpoint, actor);
        return actor;
    }
}
