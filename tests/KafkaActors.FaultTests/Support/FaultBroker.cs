namespace KafkaActors.FaultTests.Support;

/// <summary>
/// What the producer talks to in a fault test: the bare mock, or the embedded broker's front (a relay per mock broker)
/// that enforces idempotence as Kafka does. Faults are injected at the mock either way. Where the mock's own artefacts
/// (a retry written twice after a lost ack, a batch stored behind a failed one) differ from Kafka's behaviour, tests
/// assert Kafka's behaviour on the front.
/// </summary>
public enum FaultBroker
{
    /// <summary>librdkafka's mock alone: no sequence checks for idempotent producers, no deduplication.</summary>
    Mock,

    /// <summary>The mock behind the enforcing front: duplicates acknowledged with their offsets, gaps refused (OUT_OF_ORDER_SEQUENCE_NUMBER).</summary>
    Enforcing,
}
