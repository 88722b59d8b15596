using KafkaActors.Protocol;

namespace KafkaActors.Testing;

/// <summary>Kafka protocol API keys, as passed to the mock's per-API fault injection.</summary>
public static class ApiKeys
{
    /// <summary>Produce (0).</summary>
    public const short Produce = (short)ApiKey.Produce;
    /// <summary>Fetch (1).</summary>
    public const short Fetch = (short)ApiKey.Fetch;
    /// <summary>ListOffsets (2).</summary>
    public const short ListOffsets = (short)ApiKey.ListOffsets;
    /// <summary>Metadata (3).</summary>
    public const short Metadata = (short)ApiKey.Metadata;
    /// <summary>OffsetCommit (8).</summary>
    public const short OffsetCommit = 8;
    /// <summary>OffsetFetch (9).</summary>
    public const short OffsetFetch = 9;
    /// <summary>FindCoordinator (10).</summary>
    public const short FindCoordinator = (short)ApiKey.FindCoordinator;
    /// <summary>JoinGroup (11).</summary>
    public const short JoinGroup = 11;
    /// <summary>Heartbeat (12).</summary>
    public const short Heartbeat = 12;
    /// <summary>LeaveGroup (13).</summary>
    public const short LeaveGroup = 13;
    /// <summary>SyncGroup (14).</summary>
    public const short SyncGroup = 14;
    /// <summary>ApiVersions (18).</summary>
    public const short ApiVersions = (short)ApiKey.ApiVersions;
    /// <summary>CreateTopics (19); not implemented by the mock.</summary>
    public const short CreateTopics = 19;
    /// <summary>InitProducerId (22).</summary>
    public const short InitProducerId = (short)ApiKey.InitProducerId;
    /// <summary>OffsetForLeaderEpoch (23).</summary>
    public const short OffsetForLeaderEpoch = 23;
    /// <summary>AddPartitionsToTxn (24).</summary>
    public const short AddPartitionsToTxn = (short)ApiKey.AddPartitionsToTxn;
    /// <summary>AddOffsetsToTxn (25).</summary>
    public const short AddOffsetsToTxn = 25;
    /// <summary>EndTxn (26).</summary>
    public const short EndTxn = (short)ApiKey.EndTxn;
    /// <summary>TxnOffsetCommit (28).</summary>
    public const short TxnOffsetCommit = 28;
}
