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
/// once: what it keeps between calls is per thread (<see cref="Run"/>). Thread-safe.
/// </summary>
internal sealed class PerfCallback(PerfStats stats, SendErrors errors, PerfStats? steadyState = null) : BatchDeliveryCallback
{
    [ThreadStatic] private static Run? t_run;

    public override void OnCompletion(in RecordMetadata metadata, long createTime, Exception? exception)
    {
        if (exception is not null)
        {
            errors.Add(exception);
            return;
        }
        var run = t_run;
        if (run is null || run.NowMs == 0) run = Begin();
        var latency = (int)(run.NowMs - createTime);
        var bytes = metadata.SerializedValueSize;
        run.Stats!.Record(latency, bytes);
        run.SteadyState?.Record(latency, bytes);
    }

    public override void OnBatchEnd()
    {
        var run = t_run;
        if (run is null || run.NowMs == 0) return; // no record of the run succeeded: nothing counted
        var now = run.NowMs;
        run.NowMs = 0;
        stats.EndBatch(now);
        steadyState?.EndBatch(now);
    }

    /// <summary>The run's first acknowledged record: its time, and this thread's slots of this callback's stats.</summary>
    private Run Begin()
    {
        var run = t_run ??= new Run();
        if (!ReferenceEquals(run.Callback, this))
        {
            run.Callback = this;
            run.Stats = stats.ThreadSlot();
            run.SteadyState = steadyState?.ThreadSlot();
        }
        run.NowMs = Clock.NowMs;
        return run;
    }

    /// <summary>
    /// A thread's current run: its acknowledgement time (0 between runs) and where its records count (the slots of the
    /// callback that last ran on it), so a record costs one thread-static read. Owned by that thread (thread-static).
    /// </summary>
    private sealed class Run
    {
        public long NowMs;
        public PerfCallback? Callback;
        public PerfStatsSlot? Stats;
        public PerfStatsSlot? SteadyState;
    }
}
