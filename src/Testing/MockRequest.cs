namespace KafkaActors.Testing;

/// <summary>One request the mock cluster received while request tracking was on.</summary>
/// <param name="BrokerId">The broker that received it.</param>
/// <param name="ApiKey">Its Kafka API key (see <see cref="ApiKeys"/>).</param>
/// <param name="TimestampMicros">When it arrived, in microseconds of librdkafka's monotonic clock (compare them with each other only).</param>
public readonly record struct MockRequest(int BrokerId, short ApiKey, long TimestampMicros);
