namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Kafka's <c>PerfCallback</c>: one small object per record carrying its send time, so the acknowledgement can
/// be turned into a send→ack latency. Runs on a partition actor: records the outcome and returns.
/// </summary>
internal sealed class PerfCallback(long startMs, int bytes, PerfStats stats, SendErrors errors) : IDeliveryCallback
{
    public void OnCompletion(RecordMetadata metadata, Exception? exception)
    {
        var now = Clock.NowMs;
        if (exception is null) stats.Record((int)(now - startMs), bytes, now);
        else errors.Add(exception);
    }
}
