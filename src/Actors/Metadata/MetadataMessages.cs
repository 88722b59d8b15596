using Akka.Actor;
using Akka.Event;
using KafkaActors.Accumulator;

namespace KafkaActors.Metadata;

internal sealed partial class MetadataActor
{
    /// <summary>Start tracking these topics (fetching their metadata at once if new).</summary>
    internal sealed record AddTopics(IReadOnlyCollection<string> Topics) : INoSerializationVerificationNeeded;

    /// <summary>Something looked stale (leader moved, connection lost): refresh soon, within retry.backoff.ms.</summary>
    internal sealed class RequestUpdate : INoSerializationVerificationNeeded
    {
        public static readonly RequestUpdate Instance = new();
        private RequestUpdate() { }
    }

    /// <summary>
    /// From a partition actor: a Produce answer (v10+, KIP-951) from node <see cref="AnsweredBy"/> named the partition's
    /// current leader and its epoch, and perhaps the leader's address. Taken only when the epoch is newer than the one known.
    /// </summary>
    internal sealed record LeaderHint(TopicPartition Partition, int LeaderId, int LeaderEpoch, BrokerNode? Node, int AnsweredBy) : INoSerializationVerificationNeeded;

    /// <summary>From the ProducerActor: these routes are published (new topics, new partitions or moved leaders); their waiters are answered.</summary>
    internal sealed record RoutesPublished(IReadOnlyList<TopicRoute> Routes) : INoSerializationVerificationNeeded;

    /// <summary>From the ProducerActor (closing): every metadata wait fails with <see cref="Cause"/>.</summary>
    internal sealed record FailWaiters(Exception Cause) : INoSerializationVerificationNeeded;

    /// <summary>To the subscriber: a new cluster view.</summary>
    internal sealed record ClusterUpdated(ClusterSnapshot Snapshot) : INoSerializationVerificationNeeded;

    /// <summary>To the subscriber: these topics were not sent to for metadata.max.idle.ms and are no longer in the metadata requests.</summary>
    internal sealed record TopicsForgotten(IReadOnlyList<string> Topics) : INoSerializationVerificationNeeded;

    /// <summary>The bootstrap servers resolved to canonical host names (none: <see cref="Cause"/>, or nothing resolvable).</summary>
    private sealed record BootstrapResolved(IReadOnlyList<Network.BrokerEndpoint> Servers, Exception? Cause) : INoSerializationVerificationNeeded;

    private sealed class ResolveBootstrapDue : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly ResolveBootstrapDue Instance = new();
    }

    /// <summary>To the subscriber: a metadata attempt failed (kept to explain timeouts).</summary>
    internal sealed record MetadataFailed(Exception Cause) : INoSerializationVerificationNeeded;

    private sealed class RefreshDue : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly RefreshDue Instance = new();
    }

    /// <summary>Once a second: the clock that sends stamp their topic's last use with moves on.</summary>
    private sealed class AdvanceCoarseClock : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly AdvanceCoarseClock Instance = new();
    }
}
