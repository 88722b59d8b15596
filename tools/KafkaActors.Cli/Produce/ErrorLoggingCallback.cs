namespace KafkaActors.Cli.Produce;

/// <summary>
/// The per-record callback of the console producer, like Kafka's <c>ErrorLoggingCallback</c>: reports a failed
/// record by topic and key/value sizes (never their contents), and counts the outcome (see <see cref="DeliveryTracker"/>).
/// </summary>
internal sealed class ErrorLoggingCallback(string topic, int? keyBytes, int valueBytes, DeliveryTracker tracker) : IDeliveryCallback
{
    public void OnCompletion(RecordMetadata metadata, Exception? exception)
    {
        if (exception is null)
        {
            tracker.OnAcknowledged();
            return;
        }
        var key = keyBytes is { } k ? $"{k} bytes" : "null";
        tracker.OnFailed(exception, $"Error when sending message to topic {topic} with key: {key}, value: {valueBytes} bytes with error: " +
                         $"{exception.GetType().Name}: {exception.Message}");
    }
}
