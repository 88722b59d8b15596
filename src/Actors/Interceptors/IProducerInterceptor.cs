namespace KafkaActors.Interceptors;

/// <summary>
/// Sees every record before it is serialized, and every outcome (Java's <c>ProducerInterceptor</c>).
/// <see cref="OnSend"/> may return a different record. <see cref="OnAcknowledgement"/> runs once per
/// record, with the exception set on failure: on the partition's actor, or, for failures before the
/// record reached a batch (Java's onSendError), where the failure was found (the sending thread, the
/// producer actor, a stream stage or a thread cancelling a waiting send); so it must be thread-safe.
/// Exceptions thrown by an interceptor are logged and ignored, as in Java.
/// </summary>
public interface IProducerInterceptor<TKey, TValue> : IDisposable
{
    ProducerRecord<TKey, TValue> OnSend(ProducerRecord<TKey, TValue> record);

    void OnAcknowledgement(RecordMetadata metadata, Exception? exception);
}

/// <summary>The non-generic half of the interceptor chain, called where records are bytes only.</summary>
internal interface IAcknowledgementInterceptor
{
    void OnAcknowledgement(in RecordMetadata metadata, Exception? exception);
}
