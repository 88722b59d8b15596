namespace KafkaActors.Cli.Produce;

/// <summary>
/// The per-record callback of the console producer, like Kafka's <c>ErrorLoggingCallback</c>: reports a failed
/// record by topic and key/value sizes (never their contents), and counts the outcome (see <see cref="DeliveryTracker"/>).
/// Called once, on a partition actor (or by the send loop for a refused record); <see cref="Completion"/> then completes,
/// which is what <c>--sync</c> waits for.
/// </summary>
internal sealed class ErrorLoggingCallback(string topic, int? keyBytes, int? valueBytes, DeliveryTracker tracker) : IDeliveryCallback
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes (never faults) once the outcome has been counted.</summary>
    public Task Completion => _completion.Task;

    public void OnCompletion(RecordMetadata metadata, Exception? exception)
    {
        if (exception is null)
        {
            tracker.OnAcknowledged();
        }
        else
        {
            var key = keyBytes is { } k ? $"{k} bytes" : "null";
            var value = valueBytes is { } v ? $"{v} bytes" : "null";
            tracker.OnFailed(exception, $"Error when sending message to topic {topic} with key: {key}, value: {value} with error: " +
                             $"{exception.GetType().Name}: {exception.Message}");
        }
        _completion.TrySetResult();
    }
}
