namespace KafkaActors.Cli.Produce;

/// <summary>
/// Counts records handed to the producer and their outcomes, and reports each failure on
/// <paramref name="errors"/> as it happens, except one that ends the run (an authentication failure):
/// that is kept, once, for <see cref="EndedBy"/>, since every later record would fail with it too.
/// Thread-safe: outcomes arrive on the producer's actor threads.
/// </summary>
internal sealed class DeliveryTracker(TextWriter errors)
{
    private long _sent;
    private long _acknowledged;
    private long _failed;
    private Exception? _endedBy;
    private Exception? _lastFailure;

    public long Sent => Volatile.Read(ref _sent);
    public long Acknowledged => Volatile.Read(ref _acknowledged);
    public long Failed => Volatile.Read(ref _failed);

    /// <summary>The first failure that ends the run (see <see cref="ErrorLine.EndsTheRun"/>), or null.</summary>
    public Exception? EndedBy => Volatile.Read(ref _endedBy);

    /// <summary>The error of the latest failed record, or null.</summary>
    public Exception? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>True when every record sent so far was acknowledged and none failed.</summary>
    public bool AllAcknowledged => Failed == 0 && Acknowledged == Sent;

    public void OnSend() => Interlocked.Increment(ref _sent);

    public void OnAcknowledged() => Interlocked.Increment(ref _acknowledged);

    /// <param name="exception">Why the record failed.</param>
    /// <param name="line">The line reporting this record's failure.</param>
    public void OnFailed(Exception exception, string line)
    {
        // EndedBy before Failed: the send loop, having seen Failed > 0, then knows whether the run has ended.
        if (ErrorLine.EndsTheRun(exception)) Interlocked.CompareExchange(ref _endedBy, exception, null);
        else errors.WriteLine(line);
        Volatile.Write(ref _lastFailure, exception);
        Interlocked.Increment(ref _failed);
    }
}
