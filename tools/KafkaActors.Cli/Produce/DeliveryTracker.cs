namespace KafkaActors.Cli.Produce;

/// <summary>
/// Counts records handed to the producer and their outcomes, and reports each failure on
/// <paramref name="errors"/> as it happens. Thread-safe: outcomes arrive on the producer's actor threads.
/// </summary>
internal sealed class DeliveryTracker(TextWriter errors)
{
    private long _sent;
    private long _acknowledged;
    private long _failed;

    public long Sent => Volatile.Read(ref _sent);
    public long Acknowledged => Volatile.Read(ref _acknowledged);
    public long Failed => Volatile.Read(ref _failed);

    /// <summary>True when every record sent so far was acknowledged and none failed.</summary>
    public bool AllAcknowledged => Failed == 0 && Acknowledged == Sent;

    public void OnSend() => Interlocked.Increment(ref _sent);

    public void OnAcknowledged() => Interlocked.Increment(ref _acknowledged);

    public void OnFailed(string message)
    {
        Interlocked.Increment(ref _failed);
        errors.WriteLine(message);
    }
}
