using KafkaActors.Protocol.Errors;

namespace KafkaActors.Errors;

/// <summary>Base of every error this producer reports (Java's <c>KafkaException</c>).</summary>
public class KafkaException : Exception
{
    public KafkaException(string message) : base(message) { }
    public KafkaException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>An error a broker answered with (Java's <c>ApiException</c>); <see cref="ErrorCode"/> is Kafka's code.</summary>
public class ApiException : KafkaException
{
    public ApiException(ErrorCode errorCode, string message, Exception? inner = null) : base(message, inner) => ErrorCode = errorCode;

    public ErrorCode ErrorCode { get; }
}

/// <summary>A transient error: the same operation may succeed if retried (Java's <c>RetriableException</c>).</summary>
public class RetriableException : ApiException
{
    public RetriableException(ErrorCode errorCode, string message, Exception? inner = null) : base(errorCode, message, inner) { }
}

/// <summary>
/// An operation did not finish in time: metadata not available within max.block.ms, or a record not
/// acknowledged within delivery.timeout.ms (Java's <c>org.apache.kafka.common.errors.TimeoutException</c>).
/// </summary>
public class KafkaTimeoutException : RetriableException
{
    public KafkaTimeoutException(string message, Exception? inner = null) : base(ErrorCode.RequestTimedOut, message, inner) { }
}

/// <summary>The connection to a broker failed or closed before the answer arrived.</summary>
public sealed class NetworkException : RetriableException
{
    public NetworkException(string message, Exception? inner = null) : base(ErrorCode.NetworkException, message, inner) { }
}

/// <summary>
/// No buffer memory became free within max.block.ms (Java's <c>BufferExhaustedException</c>); also
/// counted in the <c>buffer-exhausted-records</c> metric.
/// </summary>
public sealed class BufferExhaustedException : KafkaTimeoutException
{
    public BufferExhaustedException(string message) : base(message) { }
}

/// <summary>A record (serialized, with batch overhead) is larger than max.request.size or buffer.memory, or the broker's limit.</summary>
public sealed class RecordTooLargeException : ApiException
{
    public RecordTooLargeException(string message) : base(ErrorCode.MessageTooLarge, message) { }
}

/// <summary>
/// The broker refused this record when it validated the batch (Java's <c>InvalidRecordException</c>, error INVALID_RECORD;
/// KIP-467): a compacted topic's record without a key, a bad timestamp, a schema check. The message carries the broker's.
/// </summary>
public sealed class InvalidRecordException : ApiException
{
    public InvalidRecordException(string message) : base(ErrorCode.InvalidRecord, message) { }
}

/// <summary>The topic name is not legal in Kafka.</summary>
public sealed class InvalidTopicException : ApiException
{
    public InvalidTopicException(string message) : base(ErrorCode.InvalidTopicException, message) { }
}

/// <summary>A key or value serializer failed (Java's <c>SerializationException</c>).</summary>
public sealed class SerializationException : KafkaException
{
    public SerializationException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A blocking wait in send, flush or close was cancelled (Java's <c>InterruptException</c>).</summary>
public sealed class InterruptException : KafkaException
{
    public InterruptException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The producer is closed: no more records are accepted, and records still queued at close fail with this.</summary>
public sealed class ProducerClosedException : KafkaException
{
    public ProducerClosedException(string message) : base(message) { }
}

/// <summary>A setting has an invalid value, or settings conflict (Java's <c>ConfigException</c>); names the key.</summary>
public sealed class ConfigException : KafkaException
{
    /// <summary>The value is printed unless <paramref name="key"/> holds a secret (<see cref="Settings.ProducerConfig.IsSecret"/>): then <c>[hidden]</c>.</summary>
    public ConfigException(string key, object? value, string reason)
        : base($"Invalid value {(Settings.ProducerConfig.IsSecret(key) ? Settings.ProducerConfig.Hidden : FormatValue(value))} for configuration {key}: {reason}") => Key = key;

    public ConfigException(string message) : base(message) => Key = null;

    private ConfigException(string key, string message) : base(message) => Key = key;

    /// <summary>A setting name this producer does not know.</summary>
    public static ConfigException Unknown(string key) =>
        new(key, $"Unknown producer configuration '{key}'. The known settings and their defaults are in hocon/reference.conf.");

    /// <summary>The setting at fault, when there is one.</summary>
    public string? Key { get; }

    private static string FormatValue(object? value) => value switch
    {
        null => "null",
        string text => $"'{text}'",
        _ => value.ToString() ?? "",
    };
}

/// <summary>The broker rejected a batch whose sequence number did not follow the last one it wrote.</summary>
public sealed class OutOfOrderSequenceException : ApiException
{
    public OutOfOrderSequenceException(string message) : base(ErrorCode.OutOfOrderSequenceNumber, message) { }
}

/// <summary>
/// Authentication with a broker failed (Java's <c>AuthenticationException</c>). Not retriable: records
/// waiting for metadata and new sends fail with it instead of waiting for max.block.ms.
/// </summary>
public class AuthenticationException : KafkaException
{
    public AuthenticationException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>SASL authentication failed: the broker refused the credentials or the mechanism, or could not prove it knows the password (SCRAM).</summary>
public sealed class SaslAuthenticationException : AuthenticationException
{
    public SaslAuthenticationException(string mechanism, string message, Exception? inner = null) : base(message, inner) => Mechanism = mechanism;

    /// <summary>The SASL mechanism that was tried, e.g. <c>SCRAM-SHA-512</c>.</summary>
    public string Mechanism { get; }
}

/// <summary>The TLS handshake failed: an untrusted or expired certificate, a host name mismatch, or no common protocol; the message says which.</summary>
public sealed class SslAuthenticationException : AuthenticationException
{
    public SslAuthenticationException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// A transactional method called in a state that does not allow it (Java's <c>IllegalStateException</c> from the
/// TransactionManager): a send outside a transaction, a commit twice, a begin before InitTransactions. The message
/// names the state; <see cref="State"/> is it. Also thrown while the transaction has failed and must be aborted
/// (state AbortableError) or the producer cannot continue (FatalError): then the inner exception is the cause.
/// </summary>
public sealed class TransactionStateException : KafkaException
{
    public TransactionStateException(Transactions.TransactionState state, string message, Exception? inner = null) : base(message, inner) => State = state;

    /// <summary>The producer's transaction state when the call was refused.</summary>
    public Transactions.TransactionState State { get; }
}

/// <summary>The record's transaction was aborted before the record was sent (Java's <c>TransactionAbortedException</c>).</summary>
public sealed class TransactionAbortedException : KafkaException
{
    public TransactionAbortedException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// Another producer with the same transactional.id has taken over (PRODUCER_FENCED, or INVALID_PRODUCER_EPOCH on a
/// transactional request): this producer can only be closed (Java's <c>ProducerFencedException</c>).
/// </summary>
public sealed class ProducerFencedException : ApiException
{
    public ProducerFencedException(ErrorCode errorCode, string message) : base(errorCode, message) { }
}
