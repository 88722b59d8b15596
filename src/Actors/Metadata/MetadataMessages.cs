using Akka.Actor;
using Akka.Event;

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

    /// <summary>To the subscriber: a new cluster view.</summary>
    internal sealed record ClusterUpdated(ClusterSnapshot Snapshot) : INoSerializationVerificationNeeded;

    /// <summary>To the subscriber: a metadata attempt failed (kept to explain timeouts).</summary>
    internal sealed record MetadataFailed(Exception Cause) : INoSerializationVerificationNeeded;

    private sealed class RefreshDue : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly RefreshDue Instance = new();
    }
}
