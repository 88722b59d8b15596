namespace KafkaActors.Interceptors;

/// <summary>The ordered interceptor chain (Java's <c>ProducerInterceptors</c>): each sees the previous one's output; failures are isolated.</summary>
internal sealed class ProducerInterceptors<TKey, TValue>(IReadOnlyList<IProducerInterceptor<TKey, TValue>> interceptors, Action<Exception> onError) : IAcknowledgementInterceptor, IDisposable
{
    /// <summary>Fixed at construction (the chain never changes): every send asks, so no interface call for it.</summary>
    public bool IsEmpty { get; } = interceptors.Count == 0;

    public ProducerRecord<TKey, TValue> OnSend(ProducerRecord<TKey, TValue> record)
    {
        var current = record;
        foreach (var interceptor in interceptors)
        {
            try { current = interceptor.OnSend(current) ?? current; }
            catch (Exception e) { onError(e); }
        }
        return current;
    }

    public void OnAcknowledgement(in RecordMetadata metadata, Exception? exception)
    {
        foreach (var interceptor in interceptors)
        {
            try { interceptor.OnAcknowledgement(metadata, exception); }
            catch (Exception e) { onError(e); }
        }
    }

    /// <summary>Java's onSendError: an outcome for a record that never reached a batch.</summary>
    public void OnSendError(ProducerRecord<TKey, TValue> record, int partition, Exception exception)
    {
        if (IsEmpty) return;
        OnAcknowledgement(new RecordMetadata(record.Topic, partition, RecordMetadata.UnknownOffset, -1, -1, -1), exception);
    }

    public void Dispose()
    {
        foreach (var interceptor in interceptors)
        {
            try { interceptor.Dispose(); }
            catch (Exception e) { onError(e); }
        }
    }
}
