using Akka.Actor;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Metadata;
using KafkaActors.Network;
using KafkaActors.Partition;
using KafkaActors.Protocol.Errors;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors.Producer;

public sealed partial class ProducerActor<TKey, TValue>
{
    /// <summary>A partition this producer has sent to: its accumulator, actor and last known leader.</summary>
    private sealed record PartitionState(PartitionAccumulator Accumulator, IActorRef Actor)
    {
        public int LeaderId { get; set; } = -2; // unknown yet: the first metadata always informs the actor
        public int LeaderEpoch { get; set; } = -1;
        public IActorRef? Connection { get; set; }
    }

    private readonly Dictionary<TopicPartition, PartitionState> _partitions = new();
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
    private ClusterSnapshot _snapshot = ClusterSnapshot.Empty;
    private Exception? _lastMetadataError;

    /// <summary>
    /// A wait for a topic's route: answered here when the route exists, else the topic comes into use (which may
    /// build its route from metadata we have, published to the MetadataActor first) and the MetadataActor answers.
    /// </summary>
    private void OnAwaitRoute(AwaitRoute await)
    {
        if (Accumulator.TryGetRoute(await.Topic, out var route))
        {
            Sender.Tell(route);
            return;
        }
        UseTopic(await.Topic);
        _metadata.Forward(await);
    }

    /// <summary>Starts fetching metadata for a topic, unless we already do (or already route it).</summary>
    private void UseTopic(string topic)
    {
        if (!_topics.Add(topic)) return;
        if (_snapshot.TryGetUsableTopic(topic, out var info) && BuildRoute(info) is { } route) _metadata.Tell(new MetadataActor.RoutesPublished([route]));
        _metadata.Tell(new MetadataActor.AddTopics([topic]));
    }

    /// <summary>A topic the broker refuses outright (authorization, invalid name): no point waiting for it.</summary>
    private Exception? TopicFailure(string topic) =>
        _snapshot.Topics.TryGetValue(topic, out var info) && info.Error != ErrorCode.None && !info.Error.IsRetriable()
            ? ErrorMapping.ToException(info.Error, $"Metadata for topic {topic}")
            : null;

    /// <summary>
    /// As Java's metadata fatal error: a failed authentication refuses records that have no route yet at once
    /// (the MetadataActor fails the waits it answers); records that have a route fail on their connection.
    /// </summary>
    private void OnMetadataFailed(Exception cause)
    {
        _lastMetadataError = cause;
        if (cause is AuthenticationException) ProcessPending();
    }

    /// <summary>The authentication failure that ends waits for metadata, until metadata arrives again.</summary>
    private AuthenticationException? AuthenticationFailure => _lastMetadataError as AuthenticationException;

    private void OnCluster(ClusterSnapshot snapshot)
    {
        _snapshot = snapshot;
        _lastMetadataError = null;
        List<TopicRoute>? published = null;
        foreach (var topic in _topics)
            if (snapshot.TryGetUsableTopic(topic, out var info) && BuildRoute(info) is { } route)
                (published ??= []).Add(route);
        // Behind the publication: the MetadataActor answers the waits for these routes now.
        if (published is not null) _metadata.Tell(new MetadataActor.RoutesPublished(published));
        _producerIds.OnCluster(snapshot);
        ProcessPending();
    }

    /// <summary>Creates what a topic's new partitions need, tells moved partitions their leader, publishes the route (returned when new or changed).</summary>
    private TopicRoute? BuildRoute(TopicInfo info)
    {
        var accumulators = new PartitionAccumulator[info.Partitions.Count];
        var available = new List<int>(info.Partitions.Count);
        var changed = !Accumulator.TryGetRoute(info.Name, out var current) || current.PartitionCount != accumulators.Length;
        foreach (var p in info.Partitions)
        {
            var tp = new TopicPartition(info.Name, p.Partition);
            if (!_partitions.TryGetValue(tp, out var state))
            {
                var accumulator = new PartitionAccumulator(tp, Accumulator);
                var actor = Context.ActorOf(PartitionActor.Props(accumulator, _partitionContext), $"partition-{tp.Topic}-{tp.Partition}");
                accumulator.Actor = actor;
                _partitions[tp] = state = new PartitionState(accumulator, actor);
                changed = true;
                if (_producerIds.ForNewPartition() is { } producerId) actor.Tell(producerId);
            }
            accumulators[p.Partition] = state.Accumulator;
            if (p.Leader >= 0) available.Add(p.Partition);

            var connection = p.Leader >= 0 ? ConnectionTo(p.Leader) : null;
            if (state.LeaderId != p.Leader || state.LeaderEpoch != p.LeaderEpoch || !Equals(state.Connection, connection))
            {
                state.LeaderId = p.Leader;
                state.LeaderEpoch = p.LeaderEpoch;
                state.Connection = connection;
                state.Actor.Tell(new PartitionActor.LeaderChanged(p.Leader, p.LeaderEpoch, connection));
                changed = true;
            }
        }

        if (!changed) return null;
        var route = new TopicRoute(info.Name, accumulators, available.ToArray());
        Accumulator.PublishRoute(route);
        return route;
    }

    /// <summary>The shared connection to a broker (see <see cref="BrokerConnections"/>).</summary>
    private IActorRef? ConnectionTo(int nodeId) => _connections.To(nodeId, _snapshot);

    private void OnConnectionState(ConnectionActor.StateChanged state)
    {
        // A lost broker may mean moved leaders: Java refreshes metadata on every disconnect.
        if (!state.Ready) _metadata.Tell(MetadataActor.RequestUpdate.Instance);
    }

    /// <summary>Closing: every wait for a route (the MetadataActor's) fails now.</summary>
    private void FailRouteWaiters(Exception cause) => _metadata.Tell(new MetadataActor.FailWaiters(cause));

    ClusterSnapshot IProducerIdHost.Snapshot => _snapshot;

    IActorRef? IProducerIdHost.ConnectionTo(int nodeId) => ConnectionTo(nodeId);

    void IProducerIdHost.RequestMetadataUpdate() => _metadata.Tell(MetadataActor.RequestUpdate.Instance);

    void IProducerIdHost.TellPartitions(object message)
    {
        foreach (var partition in _partitions.Values) partition.Actor.Tell(message);
    }

    void IProducerIdHost.OnFatal() => ProcessPending();
}
