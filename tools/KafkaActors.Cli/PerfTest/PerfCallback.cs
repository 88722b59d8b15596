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
/// once: what it keeps for a batch is its thread's <see cref="Run"/>. Thread-safe.
/// </summary>
internal sealed class PerfCallback(PerfStats stats, SendErrors errors, PerfStats? steadyState = null) : BatchDeliveryCallback
{
    [ThreadStatic] private static Run? t_run;

    public override void OnCompletion(in RecordMetadata metadata, long createTime, Exception? exception, ref object? batchState)
    {
        if (exception is not null)
        {
            errors.Add(exception);
            return;
        }
        var run = (Run?)batchState ?? Begin(ref batchState);
        var latency = (int)(run.NowMs - createTime);
        var bytes = metadata.SerializedValueSize;
        run.Stats!.Record(latency, bytes);
        run.SteadyState?.Record(latency, bytes);
    }

    public override void OnBatchEnd(object? batchState)
    {
        if (batchState is not Run run) return; // no record of the run succeeded: nothing counted
        stats.EndBatch(run.NowMs);
        steadyState?.EndBatch(run.NowMs);
    }

    /// <summary>The run's first acknowledged record: its time, and this thread's slots of this callback's stats.</summary>
    private Run Begin(ref object? batchState)
    {
        var run = t_run ??= new Run();
        if (!ReferenceEquals(run.Callback, this))
        {
            run.Callback = this;
            run.Stats = stats.ThreadSlot();
            run.SteadyState = steadyState?.ThreadSlot();
        }
        run.NowMs = Clock.NowMs;
        batchState = run;
        return run;
    }

    /// <summary>
    /// A thread's current run: its acknowledgement time and where its records count (the slots of the callback that last
    /// ran on it). Owned by that thread (thread-static): its runs never overlap.
    /// </summary>
    private sealed class Run
    {
        public long NowMs;
        public PerfCallback? Callback;
        public PerfStatsSlot? Stats;
        public PerfStatsSlot? SteadyState;
    }
}
