using Akka.Actor;
using Akka.Event;
using KafkaActors.Accumulator;
using KafkaActors.Protocol.Errors;

namespace KafkaActors.Partition;

internal sealed partial class PartitionActor
{
    /// <summary>An appender opened a batch (or a flush began): look at the accumulator's open batch. At most one is pending.</summary>
    internal sealed class Wakeup : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly Wakeup Instance = new();
        private Wakeup() { }
        public override string ToString() => "Wakeup";
    }

    /// <summary>
    /// From an appender: a batch it sealed (full, or replaced by a new one); from now on this actor owns it. It also
    /// stands for a <see cref="Wakeup"/> for the batch opened after it.
    /// </summary>
    internal sealed record BatchSealed(ProducerBatch Batch) : INoSerializationVerificationNeeded
    {
        public override string ToString() => $"BatchSealed({Batch})";
    }

    /// <summary>From the ProducerActor: the partition's leader and the connection to it (null while there is none).</summary>
    internal sealed record LeaderChanged(int LeaderId, int LeaderEpoch, IActorRef? Connection) : INoSerializationVerificationNeeded;

    /// <summary>From the ProducerActor: the idempotent producer's id and epoch, or why it could not get one.</summary>
    internal sealed record ProducerIdChanged(long ProducerId, short Epoch, Exception? Fatal) : INoSerializationVerificationNeeded;

    /// <summary>From the ProducerActor's transaction manager: the partition is in the open transaction, its batches may go.</summary>
    internal sealed class AddedToTransaction : INoSerializationVerificationNeeded
    {
        public static readonly AddedToTransaction Instance = new();
        private AddedToTransaction() { }
    }

    /// <summary>From the transaction manager: the transaction ended; the next one's first batch must add the partition again.</summary>
    internal sealed class TransactionEnded : INoSerializationVerificationNeeded
    {
        public static readonly TransactionEnded Instance = new();
        private TransactionEnded() { }
    }

    /// <summary>
    /// From the transaction manager, on abort or an abortable error: fail every batch never sent with <see cref="Cause"/>
    /// (Java's abortUndrainedBatches); batches already sent keep their sequences and complete.
    /// </summary>
    internal sealed record AbortUndrainedBatches(Exception Cause) : INoSerializationVerificationNeeded;

    /// <summary>From the ProducerActor on close: fail every batch here, and every batch sealed later, with this error.</summary>
    internal sealed record AbortBatches(Exception Cause) : INoSerializationVerificationNeeded;

    /// <summary>Diagnostics (tests, the scale benchmark): the sender is told <see cref="TimersDescribed"/>.</summary>
    internal sealed class DescribeTimers : INoSerializationVerificationNeeded
    {
        public static readonly DescribeTimers Instance = new();
        private DescribeTimers() { }
    }

    /// <summary>The reply to <see cref="DescribeTimers"/>: the actor's armed scheduler timers (expiry, backoff) and whether its linger timer is armed.</summary>
    internal sealed record TimersDescribed(TopicPartition TopicPartition, int SchedulerTimers, bool LingerArmed) : INoSerializationVerificationNeeded;

    private sealed class LingerElapsed : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly LingerElapsed Instance = new();
    }
}
