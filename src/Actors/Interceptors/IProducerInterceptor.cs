namespace KafkaActors.Interceptors;

/// <summary>
/// Sees every record before it is serialized, and every outcome (Java's <c>ProducerInterceptor</c>).
/// <see cref="OnSend"/> may return a different record. <see cref="OnAcknowledgement"/> runs on the
/// partition's actor for each record (exception set on failure, including failures before the record
/// was appended: Java's onSendError). Exceptions thrown by an interceptor are caught and ignored, as in Java.
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
