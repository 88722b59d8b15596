namespace KafkaActors.Benchmarks.Compare;

/// <summary>How a workload reaches the mock brokers.</summary>
public enum Transport
{
    /// <summary>Plaintext, straight to the mock brokers.</summary>
    Direct,

    /// <summary>Plaintext through the secure front's relay (no TLS): the relay's own cost.</summary>
    Relay,

    /// <summary>security.protocol=SSL through the secure front, which terminates TLS with a certificate from its test CA.</summary>
    Tls,
}
