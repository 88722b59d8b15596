namespace KafkaActors.Settings;

/// <summary>
/// <c>metadata.recovery.strategy</c> (KIP-899): what the producer does when none of the brokers it knows can be
/// reached. Immutable.
/// </summary>
public enum MetadataRecoveryStrategy
{
    /// <summary><c>rebootstrap</c> (Kafka 4.0's default): forget the known brokers and ask the bootstrap servers again.</summary>
    Rebootstrap,

    /// <summary><c>none</c>: keep trying the known brokers.</summary>
    None,
}
