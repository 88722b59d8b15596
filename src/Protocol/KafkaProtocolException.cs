namespace KafkaActors.Protocol;

/// <summary>Bytes that do not follow the Kafka wire format (truncated frame, bad length, bad CRC).</summary>
public sealed class KafkaProtocolException(string message) : Exception(message);
