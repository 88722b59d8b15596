using KafkaActors.Interceptors;
using KafkaActors.Tracing;

namespace KafkaActors.Accumulator;

/// <summary>
/// Completes one record's outcome. A completion is stored as a plain object reference per record in
/// its batch (no wrapper allocated): a task source, a delegate, an <see cref="IDeliveryCallback"/> or a
/// <see cref="BatchDeliveryCallback"/>; for a traced record (only while someone listens) a <see cref="TracedDelivery"/>,
/// whose span ends before its delivery is told. Stateless; the caller's loop carries the open batch-callback run.
/// </summary>
internal static class DeliveryCompletion
{
    /// <summary>A record completed on its own (failed before reaching a batch): a run of one for a batch callback.</summary>
    public static void Complete(object? completion, in RecordMetadata metadata, Exception? exception, IAcknowledgementInterceptor? interceptor, Action<Exception> onCallbackError)
    {
        var run = default(BatchRun);
        Complete(completion, metadata, metadata.Timestamp, exception, interceptor, onCallbackError, ref run);
        EndRun(ref run, onCallbackError);
    }

    /// <summary>
    /// One record of a batch's completion loop. <paramref name="run"/> is the batch callback whose run is open (none at the
    /// loop's start): a record with another one ends it first. The loop ends the last with <see cref="EndRun"/>.
    /// </summary>
    public static void Complete(object? completion, in RecordMetadata metadata, long createTime, Exception? exception, IAcknowledgementInterceptor? interceptor,
        Action<Exception> onCallbackError, ref BatchRun run)
    {
        if (run.Callback is { } open && ReferenceEquals(completion, open))
        {
            // The open run's next record (the usual case of a batch callback): no type checks.
            if (interceptor is not null) interceptor.OnAcknowledgement(metadata, exception);
            try { open.OnCompletion(metadata, createTime, exception, ref run.State); }
            catch (Exception e) { onCallbackError(e); }
            return;
        }
        if (completion is TracedDelivery traced)
        {
            traced.End(metadata, exception);
            completion = traced.Delivery;
        }
        if (interceptor is not null) interceptor.OnAcknowledgement(metadata, exception);
        // The callback objects first: the facade's most common completion, and an interface check costs the most.
        switch (completion)
        {
            case null:
                return;
            case IDeliveryCallback callback:
                if (callback is BatchDeliveryCallback batched)
                {
                    if (!ReferenceEquals(batched, run.Callback))
                    {
                        EndRun(ref run, onCallbackError); // another callback's run, if one is open
                        run.Callback = batched;
                    }
                    try { batched.OnCompletion(metadata, createTime, exception, ref run.State); }
                    catch (Exception e) { onCallbackError(e); }
                }
                else Invoke(callback, metadata, exception, onCallbackError);
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

    /// <summary>Ends the open run of a batch callback, if any (after a batch's last record).</summary>
    public static void EndRun(ref BatchRun run, Action<Exception> onCallbackError)
    {
        if (run.Callback is not { } open) return;
        var state = run.State;
        run = default;
        try { open.OnBatchEnd(state); }
        catch (Exception e) { onCallbackError(e); }
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
