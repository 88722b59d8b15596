namespace KafkaActors.Protocol;

/// <summary>Kafka API keys (the subset this client speaks, plus the ones tests inject faults for).</summary>
public enum ApiKey : short
{
    Produce = 0,
    Fetch = 1,
    ListOffsets = 2,
    Metadata = 3,
    FindCoordinator = 10,
    SaslHandshake = 17,
    ApiVersions = 18,
    InitProducerId = 22,
    AddPartitionsToTxn = 24,
    AddOffsetsToTxn = 25,
    EndTxn = 26,
    TxnOffsetCommit = 28,
    SaslAuthenticate = 36,
}
