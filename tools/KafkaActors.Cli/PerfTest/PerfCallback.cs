namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Kafka's <c>PerfCallback</c>: one small object per record carrying its send time, so the acknowledgement can
/// be turned into a send→ack latency. Runs on a partition actor: records the outcome and returns. A record sent after
/// the warm-up also counts in <paramref name="steadyState"/>.
/// </summary>
internal sealed class PerfCallback(long startMs, int bytes, PerfStats stats, SendErrors errors, PerfStats? steadyState = null) : IDeliveryCallback
{
    public void OnCompletion(RecordMetadata metadata, Exception? exception)
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
