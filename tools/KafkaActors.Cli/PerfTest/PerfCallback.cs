using KafkaActors.Accumulator;

namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Kafka's <c>PerfCallback</c>, without an object per record: one instance serves every record sent while the same
/// stats are current (a new one is made when the warm-up ends, so a record counts in the stats that were current when it
/// was sent). A record's send time is its CreateTime, which the producer stamps at send with the tool's own
/// wall clock (<see cref="Clock.NowMs"/>; perf-test's records carry no timestamp of their own), and which the producer
/// hands back here whatever the topic's timestamp type. The acknowledgement's time is read once per batch: a batch's
/// records complete together in one loop on one thread, and <see cref="OnBatchEnd"/> ends that loop's run, so a time is
/// never reused for another batch; the stats are published once per batch too. Runs on partition actors, several at
/// once: what it keeps between calls is per thread. Thread-safe.
/// </summary>
internal sealed class PerfCallback(PerfStats stats, SendErrors errors, PerfStats? steadyState = null) : BatchDeliveryCallback
{
    // This thread's acknowledgement time for the run it is completing, 0 until a record of the run needs it.
    [ThreadStatic] private static long t_runNowMs;

    public override void OnCompletion(in RecordMetadata metadata, long createTime, Exception? exception)
    {
        if (exception is not null)
        {
            errors.Add(exception);
            return;
        }
        var now = t_runNowMs;
        if (now == 0) t_runNowMs = now = Clock.NowMs;
        var latency = (int)(now - createTime);
        var bytes = metadata.SerializedValueSize;
        stats.Record(latency, bytes);
        steadyState?.Record(latency, bytes);
    }

    public override void OnBatchEnd()
    {
        var now = t_runNowMs;
        if (now == 0) return; // no record of the run succeeded: nothing counted
        t_runNowMs = 0;
        stats.EndBatch(now);
        steadyState?.EndBatch(now);
    }
}
