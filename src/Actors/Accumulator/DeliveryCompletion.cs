using KafkaActors.Interceptors;
using KafkaActors.Tracing;

namespace KafkaActors.Accumulator;

/// <summary>
/// Completes one record's outcome. A completion is stored as a plain object reference per record in
/// its batch (no wrapper allocated): a task source, a delegate, or an <see cref="IDeliveryCallback"/>; for a
/// traced record (only while someone listens) a <see cref="TracedDelivery"/>, whose span ends before its delivery is told.
/// </summary>
internal static class DeliveryCompletion
{
    public static void Complete(object? completion, in RecordMetadata metadata, Exception? exception, IAcknowledgementInterceptor? interceptor, Action<Exception> onCallbackError)
    {
        if (completion is TracedDelivery traced)
        {
            traced.End(metadata, exception);
            completion = traced.Delivery;
        }
        if (interceptor is not null) interceptor.OnAcknowledgement(metadata, exception);
        // The callback object first: the facade's most common completion, and an interface check costs the most.
        switch (completion)
        {
            case null:
                return;
            case IDeliveryCallback callback:
                Invoke(callback, metadata, exception, onCallbackError);
                return;
            case TaskCompletionSource<RecordMetadata> task:
                if (exception is null) task.TrySetResult(metadata);
                else task.TrySetException(exception);
                return;
            case Action<RecordMetadata, Exception?> action:
                Invoke(action, metadata, exception, onCallbackError);
                return;
            default:
                throw new InvalidOperationException($"Unknown completion type {completion.GetType()}.");
        }
    }

    // A throwing user callback must not stop the other records of the batch from completing.
    private static void Invoke(IDeliveryCallback callback, in RecordMetadata metadata, Exception? exception, Action<Exception> onError)
    {
        try { callback.OnCompletion(metadata, exception); }
        catch (Exception e) { onError(e); }
    }

    private static void Invoke(Action<RecordMetadata, Exception?> action, in RecordMetadata metadata, Exception? exception, Action<Exception> onError)
    {
        try { action(metadata, exception); }
        catch (Exception e) { onError(e); }
    }
}
