using Akka.Actor;
using Akka.Event;
using KafkaActors.Accumulator;

namespace KafkaActors.Producer;

/// <summary>Messages the producer actor handles internally, between itself, its facade and its timers.</summary>
internal static class ProducerActorMessages
{
    /// <summary>Facade: answer with the topic's <see cref="TopicRoute"/> once metadata has it, or fail at the deadline.</summary>
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

    public sealed record RouteWaitExpired(long WaiterId) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    public sealed record MemoryGranted(byte[] Buffer) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    public sealed record MemoryDenied(Exception Cause) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    public sealed class PendingDeadline : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly PendingDeadline Instance = new();
    }

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

    /// <summary>A topic waiter from the facade.</summary>
    public sealed record RouteWaiter(long Id, IActorRef ReplyTo, long DeadlineMs);

    /// <summary>
    /// Facade: a record (already through the interceptors) that must wait for metadata or memory. It
    /// joins the told records' queue so it keeps its place behind earlier waiting records.
    /// </summary>
    public sealed record FacadeSend(object Record, object? Completion, long DeadlineMs, CancellationToken Cancellation) : INoSerializationVerificationNeeded;

    /// <summary>
    /// A record (or a Flush) waiting its turn in the producer actor: records go out in the order they
    /// came, so one waiting for metadata or memory holds back the ones behind it.
    /// </summary>
    public sealed class PendingSend<TKey, TValue>(ProducerRecord<TKey, TValue>? record, object? completion, IActorRef? flushReplyTo, long deadlineMs, bool fromFacade, CancellationToken cancellation)
    {
        public ProducerRecord<TKey, TValue>? Record { get; } = record;

        /// <summary>How the outcome is delivered (see DeliveryCompletion), or null for fire-and-forget.</summary>
        public object? Completion { get; } = completion;

        public IActorRef? FlushReplyTo { get; } = flushReplyTo;
        public long DeadlineMs { get; } = deadlineMs;
        public bool FromFacade { get; } = fromFacade;
        public CancellationToken Cancellation { get; } = cancellation;
        public bool IsFlush => Record is null;
    }
}
