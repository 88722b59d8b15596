namespace KafkaActors.Testing;

/// <summary>
/// Kafka protocol error codes (positive) and the librdkafka-local codes (negative) that the mock
/// understands as injected errors.
/// </summary>
public static class KafkaErrorCodes
{
    /// <summary>0: success. As an injected broker entry with an RTT it means "write, then answer late".</summary>
    public const short None = 0;
    /// <summary>-195 (librdkafka __TRANSPORT): the mock closes the connection instead of answering.</summary>
    public const short Transport = -195;
    /// <summary>1.</summary>
    public const short OffsetOutOfRange = 1;
    /// <summary>2.</summary>
    public const short CorruptMessage = 2;
    /// <summary>3.</summary>
    public const short UnknownTopicOrPartition = 3;
    /// <summary>5.</summary>
    public const short LeaderNotAvailable = 5;
    /// <summary>6.</summary>
    public const short NotLeaderOrFollower = 6;
    /// <summary>7.</summary>
    public const short RequestTimedOut = 7;
    /// <summary>10.</summary>
    public const short MessageTooLarge = 10;
    /// <summary>14.</summary>
    public const short CoordinatorLoadInProgress = 14;
    /// <summary>15.</summary>
    public const short CoordinatorNotAvailable = 15;
    /// <summary>16.</summary>
    public const short NotCoordinator = 16;
    /// <summary>19.</summary>
    public const short NotEnoughReplicas = 19;
    /// <summary>20.</summary>
    public const short NotEnoughReplicasAfterAppend = 20;
    /// <summary>29.</summary>
    public const short TopicAuthorizationFailed = 29;
    /// <summary>31.</summary>
    public const short ClusterAuthorizationFailed = 31;
    /// <summary>35.</summary>
    public const short UnsupportedVersion = 35;
    /// <summary>36.</summary>
    public const short TopicAlreadyExists = 36;
    /// <summary>45.</summary>
    public const short OutOfOrderSequenceNumber = 45;
    /// <summary>46.</summary>
    public const short DuplicateSequenceNumber = 46;
    /// <summary>47.</summary>
    public const short InvalidProducerEpoch = 47;
    /// <summary>49.</summary>
    public const short InvalidProducerIdMapping = 49;
    /// <summary>56.</summary>
    public const short KafkaStorageError = 56;
    /// <summary>59.</summary>
    public const short UnknownProducerId = 59;
    /// <summary>87.</summary>
    public const short InvalidRecord = 87;
}
