using KafkaActors.Protocol.Errors;

namespace KafkaActors.Testing;

/// <summary>
/// Kafka protocol error codes (positive) and the librdkafka-local codes (negative) that the mock
/// understands as injected errors.
/// </summary>
public static class KafkaErrorCodes
{
    /// <summary>0: success. As an injected broker entry with an RTT it means "write, then answer late".</summary>
    public const short None = (short)ErrorCode.None;
    /// <summary>-195 (librdkafka __TRANSPORT): the mock closes the connection instead of answering.</summary>
    public const short Transport = -195;
    /// <summary>1.</summary>
    public const short OffsetOutOfRange = (short)ErrorCode.OffsetOutOfRange;
    /// <summary>2.</summary>
    public const short CorruptMessage = (short)ErrorCode.CorruptMessage;
    /// <summary>3.</summary>
    public const short UnknownTopicOrPartition = (short)ErrorCode.UnknownTopicOrPartition;
    /// <summary>5.</summary>
    public const short LeaderNotAvailable = (short)ErrorCode.LeaderNotAvailable;
    /// <summary>6.</summary>
    public const short NotLeaderOrFollower = (short)ErrorCode.NotLeaderOrFollower;
    /// <summary>7.</summary>
    public const short RequestTimedOut = (short)ErrorCode.RequestTimedOut;
    /// <summary>10.</summary>
    public const short MessageTooLarge = (short)ErrorCode.MessageTooLarge;
    /// <summary>14.</summary>
    public const short CoordinatorLoadInProgress = (short)ErrorCode.CoordinatorLoadInProgress;
    /// <summary>15.</summary>
    public const short CoordinatorNotAvailable = (short)ErrorCode.CoordinatorNotAvailable;
    /// <summary>16.</summary>
    public const short NotCoordinator = (short)ErrorCode.NotCoordinator;
    /// <summary>19.</summary>
    public const short NotEnoughReplicas = (short)ErrorCode.NotEnoughReplicas;
    /// <summary>20.</summary>
    public const short NotEnoughReplicasAfterAppend = (short)ErrorCode.NotEnoughReplicasAfterAppend;
    /// <summary>29.</summary>
    public const short TopicAuthorizationFailed = (short)ErrorCode.TopicAuthorizationFailed;
    /// <summary>30.</summary>
    public const short GroupAuthorizationFailed = (short)ErrorCode.GroupAuthorizationFailed;
    /// <summary>31.</summary>
    public const short ClusterAuthorizationFailed = (short)ErrorCode.ClusterAuthorizationFailed;
    /// <summary>35.</summary>
    public const short UnsupportedVersion = (short)ErrorCode.UnsupportedVersion;
    /// <summary>36.</summary>
    public const short TopicAlreadyExists = (short)ErrorCode.TopicAlreadyExists;
    /// <summary>45.</summary>
    public const short OutOfOrderSequenceNumber = (short)ErrorCode.OutOfOrderSequenceNumber;
    /// <summary>46.</summary>
    public const short DuplicateSequenceNumber = (short)ErrorCode.DuplicateSequenceNumber;
    /// <summary>47.</summary>
    public const short InvalidProducerEpoch = (short)ErrorCode.InvalidProducerEpoch;
    /// <summary>49.</summary>
    public const short InvalidProducerIdMapping = (short)ErrorCode.InvalidProducerIdMapping;
    /// <summary>48.</summary>
    public const short InvalidTxnState = (short)ErrorCode.InvalidTxnState;
    /// <summary>50.</summary>
    public const short InvalidTransactionTimeout = (short)ErrorCode.InvalidTransactionTimeout;
    /// <summary>51.</summary>
    public const short ConcurrentTransactions = (short)ErrorCode.ConcurrentTransactions;
    /// <summary>52.</summary>
    public const short TransactionCoordinatorFenced = (short)ErrorCode.TransactionCoordinatorFenced;
    /// <summary>53.</summary>
    public const short TransactionalIdAuthorizationFailed = (short)ErrorCode.TransactionalIdAuthorizationFailed;
    /// <summary>56.</summary>
    public const short KafkaStorageError = (short)ErrorCode.KafkaStorageError;
    /// <summary>59.</summary>
    public const short UnknownProducerId = (short)ErrorCode.UnknownProducerId;
    /// <summary>87.</summary>
    public const short InvalidRecord = (short)ErrorCode.InvalidRecord;
    /// <summary>90.</summary>
    public const short ProducerFenced = (short)ErrorCode.ProducerFenced;
}
