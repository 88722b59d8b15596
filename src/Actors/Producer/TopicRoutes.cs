using Akka.Actor;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Metadata;
using KafkaActors.Network;
using KafkaActors.Partition;
using KafkaActors.Protocol.Errors;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors.Producer;

/// <summary>
/// The ProducerActor's handler for routes: it keeps the cluster view the MetadataActor last sent, the topics in
/// use and the partitions sent to, turns metadata into routes (partition accumulators and actors, published for
/// senders to read without asking) and tells partition actors who leads them. The partition actors are children
/// of the ProducerActor (<paramref name="context"/>). Owned by that actor: not thread-safe.
/// </summary>
internal sealed class TopicRoutes(
    RecordAccumulator accumulator,
    IActorContext context,
    PartitionContext partitionContext,
    IActorRef metadata,
    BrokerConnections connections,
    Func<PartitionActor.ProducerIdChanged?> producerIdForNewPartition) : ITopicRouting
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
    private Exception? _lastMetadataError;

    /// <summary>The cluster as the MetadataActor last described it.</summary>
    public ClusterSnapshot Snapshot { get; private set; } = ClusterSnapshot.Empty;

    /// <summary>
    /// A wait for a topic's route: answered here when the route exists, else the topic comes into use (which may
    /// build its route from metadata we have, published to the MetadataActor first) and the MetadataActor answers.
    /// </summary>
    public void OnAwaitRoute(AwaitRoute await, IActorRef sender)
    {
        if (accumulator.TryGetRoute(await.Topic, out var route))
        {
            sender.Tell(route);
            return;
        }
        UseTopic(await.Topic);
        metadata.Tell(await, sender);
    }

    /// <summary>The topic's partitions in the current metadata (none when it is unknown).</summary>
    public IReadOnlyList<PartitionInfo> PartitionsFor(string topic) =>
        Snapshot.Topics.TryGetValue(topic, out var info) ? info.Partitions : Array.Empty<PartitionInfo>();

    /// <summary>Starts fetching metadata for a topic, unless we already do (or already route it).</summary>
    public void UseTopic(string topic)
    {
        if (!_topics.Add(topic)) return;
        if (Snapshot.TryGetUsableTopic(topic, out var info) && BuildRoute(info) is { } route) metadata.Tell(new MetadataActor.RoutesPublished([route]));
        metadata.Tell(new MetadataActor.AddTopics([topic]));
    }

    public Exception? RouteRefusal(string topic) => TopicFailure(topic) ?? AuthenticationFailure;

    public Task<TopicRoute> AwaitRoute(string topic, long deadlineMs) =>
        // The MetadataActor answers at the deadline itself (with the better message); the ask timeout is a backstop.
        metadata.Ask<TopicRoute>(new AwaitRoute(topic, deadlineMs), TimeSpan.FromMilliseconds(Math.Max(0, deadlineMs - MonotonicClock.NowMs)) + TimeSpan.FromSeconds(1));

    /// <summary>A topic the broker refuses outright (authorization, invalid name): no point waiting for it.</summary>
    private Exception? TopicFailure(string topic) =>
        Snapshot.Topics.TryGetValue(topic, out var info) && info.Error != ErrorCode.None && !info.Error.IsRetriable()
            ? ErrorMapping.ToException(info.Error, $"Metadata for topic {topic}")
            : null;

    /// <summary>
    /// As Java's metadata fatal error: a failed authentication refuses records that have no route yet at once
    /// (the MetadataActor fails the waits it answers); records that have a route fail on their connection.
    /// Kept until metadata arrives again; on a failed authentication the ProducerActor lets records waiting try again.
    /// </summary>
    public void OnMetadataFailed(Exception cause) => _lastMetadataError = cause;

    /// <summary>The authentication failure that ends waits for metadata, until metadata arrives again.</summary>
    private AuthenticationException? AuthenticationFailure => _lastMetadataError as AuthenticationException;

    /// <summary>
    /// The MetadataActor forgot these topics (not sent to for metadata.max.idle.ms): their routes go, so their next
    /// send waits for metadata and brings them back. Their partition actors stay, with their sequences and any batch
    /// still on its way.
    /// </summary>
    public void OnTopicsForgotten(IReadOnlyCollection<string> topics)
    {
        foreach (var topic in topics)
        {
            _topics.Remove(topic);
            accumulator.RemoveRoute(topic);
        }
    }

    /// <summary>New metadata: routes of the topics in use are built or updated, and published to the MetadataActor.</summary>
    public void OnCluster(ClusterSnapshot snapshot)
    {
        Snapshot = snapshot;
        _lastMetadataError = null;
        List<TopicRoute>? published = null;
        foreach (var topic in _topics)
            if (snapshot.TryGetUsableTopic(topic, out var info) && BuildRoute(info) is { } route)
                (published ??= []).Add(route);
        // Behind the publication: the MetadataActor answers the waits for these routes now.
        if (published is not null) metadata.Tell(new MetadataActor.RoutesPublished(published));
    }

    /// <summary>Creates what a topic's new partitions need, tells moved partitions their leader, publishes the route (returned when new or changed).</summary>
    private TopicRoute? BuildRoute(TopicInfo info)
    {
        var accumulators = new PartitionAccumulator[info.Partitions.Count];
        var available = new List<int>(info.Partitions.Count);
        var changed = !accumulator.TryGetRoute(info.Name, out var current) || current.PartitionCount != accumulators.Length;
        foreach (var p in info.Partitions)
        {
            var tp = new TopicPartition(info.Name, p.Partition);
            if (!_partitions.TryGetValue(tp, out var state))
            {
                var partitionAccumulator = new PartitionAccumulator(tp, accumulator);
                var actor = context.ActorOf(PartitionActor.Props(partitionAccumulator, partitionContext), $"partition-{tp.Topic}-{tp.Partition}");
                partitionAccumulator.Actor = actor;
                _partitions[tp] = state = new PartitionState(partitionAccumulator, actor);
                changed = true;
                if (producerIdForNewPartition() is { } producerId) actor.Tell(producerId);
            }
            accumulators[p.Partition] = state.Accumulator;
            if (p.Leader >= 0) available.Add(p.Partition);

            var connection = p.Leader >= 0 ? ConnectionTo(p.Leader) : null;
            state.Accumulator.Leader = p.Leader >= 0 && Snapshot.Brokers.TryGetValue(p.Leader, out var leaderNode) ? leaderNode : null;
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
        var route = new TopicRoute(info.Name, accumulators, available.ToArray(), current?.Usage);
        accumulator.PublishRoute(route);
        return route;
    }

    /// <summary>The shared connection to a broker (see <see cref="BrokerConnections"/>).</summary>
    public IActorRef? ConnectionTo(int nodeId) => connections.To(nodeId, Snapshot);

    /// <summary>Tells every partition actor.</summary>
    public void TellPartitions(object message)
    {
        foreach (var partition in _partitions.Values) partition.Actor.Tell(message);
    }

    public void RequestMetadataUpdate() => metadata.Tell(MetadataActor.RequestUpdate.Instance);

    /// <summary>Closing: every wait for a route (the MetadataActor's) fails now.</summary>
    public void FailRouteWaiters(Exception cause) => metadata.Tell(new MetadataActor.FailWaiters(cause));
}
