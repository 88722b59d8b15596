using Akka.Actor;
using Akka.Event;
using KafkaActors.Accumulator;

namespace KafkaActors.Producer;

/// <summary>
/// Messages the producer actor handles internally, between itself, its facade, its stream stages and its
/// timers. Facade records that must wait arrive as <see cref="WaitingSend{TKey,TValue}"/> items.
/// </summary>
internal static class ProducerActorMessages
{
    /// <summary>
    /// Facade and stages, to the ProducerActor, which starts using the topic and forwards it to the MetadataActor:
    /// answer with the topic's <see cref="TopicRoute"/> once it is published, or fail at the deadline.
    /// </summary>
    public sealed record AwaitRoute(string Topic, long DeadlineMs) : INoSerializationVerificationNeeded;

    /// <summary>Facade: answer with the topic's partitions (<see cref="Metadata.PartitionInfo"/> list) from the current metadata.</summary>
    public sealed record DescribeTopic(string Topic) : INoSerializationVerificationNeeded;

    /// <summary>
    /// Facade (Close, Dispose, CoordinatedShutdown): stop accepting records, send what is buffered, fail what
    /// is left at <see cref="Timeout"/> with ProducerClosedException, close the connections and stop. Answered
    /// with <see cref="Akka.Done"/> once every record has its outcome; a second Close joins the first.
    /// </summary>
    public sealed record Close(TimeSpan Timeout) : INoSerializationVerificationNeeded;

    /// <summary>Closing: every batch that existed when the closing flush began is complete.</summary>
    public sealed class CloseFlushed : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly CloseFlushed Instance = new();
    }

    /// <summary>Closing: the close timeout elapsed (abort what is left), or the time left to abort or close connections did.</summary>
    public sealed record CloseTimerElapsed(ClosePhase Phase) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    /// <summary>Where a closing producer actor is: each phase ends when its work is done or its time is up.</summary>
    public enum ClosePhase
    {
        Open,
        /// <summary>No new records; what was accepted is sent, until the close timeout.</summary>
        Flushing,
        /// <summary>The timeout passed: everything left fails with ProducerClosedException; briefly waiting for the partition actors to report it.</summary>
        Aborting,
        /// <summary>Every record has its outcome; the connections close (FIN after queued writes).</summary>
        ClosingConnections,
        Closed,
    }

    /// <summary>From a partition actor: move the idempotent producer past <see cref="Epoch"/> (sequence gap or lost broker state).</summary>
    public sealed record BumpEpoch(long ProducerId, short Epoch) : INoSerializationVerificationNeeded;

    /// <summary>From a partition actor of a transactional producer: it has a batch to send; add its partition to the transaction first.</summary>
    public sealed record AddPartitionToTransaction(TopicPartition Partition) : INoSerializationVerificationNeeded;

    /// <summary>From a partition actor: a batch of the open transaction failed, so the transaction must be aborted.</summary>
    public sealed record TransactionBatchFailed(Exception Cause) : INoSerializationVerificationNeeded;

    /// <summary>The memory the head of <see cref="Topic"/>'s queue waited for (request <see cref="RequestId"/>).</summary>
    public sealed record MemoryGranted(string Topic, long RequestId, byte[] Buffer) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    /// <summary>The head of <see cref="Topic"/>'s queue got no memory in time (or was cancelled).</summary>
    public sealed record MemoryDenied(string Topic, long RequestId, Exception Cause) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    /// <summary>The MetadataActor answered the route wait <see cref="RequestId"/> of the head of <see cref="Topic"/>'s queue: the route is published.</summary>
    public sealed record RouteReady(string Topic, long RequestId) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    /// <summary>The route wait of the head of <see cref="Topic"/>'s queue failed (max.block.ms, a refused topic, a failed authentication).</summary>
    public sealed record RouteDenied(string Topic, long RequestId, Exception Cause) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    public sealed class InitProducerIdDue : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly InitProducerIdDue Instance = new();
    }

    /// <summary>The token of our InitProducerId requests.</summary>
    public sealed class InitProducerIdToken
    {
        public static readonly InitProducerIdToken Instance = new();
        public override string ToString() => "InitProducerId";
    }
}
