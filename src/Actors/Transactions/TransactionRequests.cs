using Akka.Actor;
using KafkaActors.Protocol.Messages;

namespace KafkaActors.Transactions;

/// <summary>
/// One step a <see cref="TransactionManager"/> sends to a coordinator (Java's TxnRequestHandler):
/// queued in order, one in flight at a time, retried until it succeeds or fails the transaction. Owned by that
/// manager; not thread-safe.
/// </summary>
internal abstract record TransactionRequest
{
    /// <summary>Which coordinator answers it: the transaction coordinator, or a group's for TxnOffsetCommit.</summary>
    public virtual (CoordinatorType Type, string? Key) Coordinator => (CoordinatorType.Transaction, null);

    /// <summary>The operation's name in messages, e.g. <c>EndTxn(commit)</c>.</summary>
    public abstract string Name { get; }
}

/// <summary>Finds the coordinator of a transactional id or a group; sent to any broker.</summary>
internal sealed record FindCoordinatorStep(CoordinatorType Type, string Key) : TransactionRequest
{
    public override string Name => $"FindCoordinator({Type})";
}

/// <summary>Gets the producer id and epoch; with <see cref="Bump"/>, a new epoch for the current id after an abort (KIP-360).</summary>
internal sealed record InitProducerIdStep(bool Bump) : TransactionRequest
{
    public override string Name => Bump ? "InitProducerId(epoch bump)" : "InitProducerId";
}

/// <summary>Adds the partitions that asked since the last one to the transaction.</summary>
internal sealed record AddPartitionsStep : TransactionRequest
{
    public static readonly AddPartitionsStep Instance = new();
    public override string Name => "AddPartitionsToTxn";
}

/// <summary>Adds a group's offsets to the transaction (to the transaction coordinator), then <see cref="TxnOffsetCommitStep"/> follows.</summary>
internal sealed record AddOffsetsStep(SendOffsetsToTransaction Offsets, IActorRef ReplyTo) : TransactionRequest
{
    public override string Name => "AddOffsetsToTxn";
}

/// <summary>Writes the offsets to the group coordinator, as part of the transaction; partitions still to commit shrink on partial success.</summary>
internal sealed record TxnOffsetCommitStep(SendOffsetsToTransaction Offsets, IActorRef ReplyTo) : TransactionRequest
{
    public IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> Remaining { get; set; } = Offsets.Offsets;
    public override (CoordinatorType Type, string? Key) Coordinator => (CoordinatorType.Group, Offsets.Group.GroupId);
    public override string Name => "TxnOffsetCommit";
}

/// <summary>Ends the transaction: commit or abort.</summary>
internal sealed record EndTxnStep(bool Commit) : TransactionRequest
{
    public override string Name => Commit ? "EndTxn(commit)" : "EndTxn(abort)";
}
