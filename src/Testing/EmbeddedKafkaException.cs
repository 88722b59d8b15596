namespace KafkaActors.Testing;

/// <summary>A mock-cluster call failed; carries librdkafka's error code and name.</summary>
public sealed class EmbeddedKafkaException : Exception
{
    /// <summary>Creates an exception without an error code (e.g. the cluster could not be created).</summary>
    public EmbeddedKafkaException(string message) : base(message) { }

    /// <summary>Creates an exception for a nonzero <c>rd_kafka_resp_err_t</c>.</summary>
    public EmbeddedKafkaException(string message, int errorCode, string errorName) : base(message)
    {
        ErrorCode = errorCode;
        ErrorName = errorName;
    }

    /// <summary>
    /// The <c>rd_kafka_resp_err_t</c>: a Kafka protocol error code when positive, a librdkafka-local
    /// one when negative (e.g. -190 <c>__UNKNOWN_BROKER</c>); 0 when not applicable.
    /// </summary>
    public int ErrorCode { get; }

    /// <summary>librdkafka's symbolic name for <see cref="ErrorCode"/>, e.g. <c>TOPIC_ALREADY_EXISTS</c>.</summary>
    public string? ErrorName { get; }
}
