namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Where perf-test's callbacks record: the whole run's stats, the send errors and, for records sent after the
/// warm-up, the steady-state stats (a new recorder is made when the warm-up ends, so a record's callback counts in the
/// stats that were current when it was sent). Kept apart from <see cref="PerfCallback"/> so that the object allocated
/// per record holds only its send time and size. Immutable; the stats it calls are thread-safe.
/// </summary>
internal sealed class PerfRecorder(PerfStats stats, SendErrors errors, PerfStats? steadyState = null)
{
    public void Completed(long startMs, int bytes, Exception? exception)
    {
        var now = Clock.NowMs;
        if (exception is not null)
        {
            errors.Add(exception);
            return;
        }
        var latency = (int)(now - startMs);
        stats.Record(latency, bytes, now);
        steadyState?.Record(latency, bytes, now);
    }
}
