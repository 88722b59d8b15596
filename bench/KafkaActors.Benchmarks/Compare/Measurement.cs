using System.Diagnostics;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// Counts outcomes (thread-safe) and takes the process-wide numbers a run is judged by: elapsed time,
/// bytes allocated (all threads: the library's actors allocate off the caller's thread), GC counts and the
/// process's user+sys CPU time (all threads, librdkafka's native ones too), and the broker process's when it has one.
/// </summary>
public sealed class Measurement(int records, Func<TimeSpan>? brokerProcessorTime = null)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _completed;
    private int _failed;
    private long _allocatedAtStart;
    private int _gen0, _gen1, _gen2;
    private long _start;
    private TimeSpan _cpuAtStart;
    private TimeSpan _brokerCpuAtStart;

    public LatencyRecorder Latency { get; } = new(records);

    public void Start()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _gen0 = GC.CollectionCount(0);
        _gen1 = GC.CollectionCount(1);
        _gen2 = GC.CollectionCount(2);
        _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
        _cpuAtStart = ProcessorTime();
        _brokerCpuAtStart = brokerProcessorTime?.Invoke() ?? TimeSpan.Zero;
        AllocationProfile.Active?.Begin();
        _start = Stopwatch.GetTimestamp();
    }

    public void Completed(bool ok)
    {
        if (!ok) Interlocked.Increment(ref _failed);
        if (Interlocked.Increment(ref _completed) == records) _done.TrySetResult();
    }

    public async Task<RunResult> Finish(string client, int valueSize, TimeSpan timeout)
    {
        await _done.Task.WaitAsync(timeout);
        var elapsed = Stopwatch.GetElapsedTime(_start);
        var cpu = ProcessorTime() - _cpuAtStart;
        TimeSpan? brokerCpu = brokerProcessorTime is null ? null : brokerProcessorTime() - _brokerCpuAtStart;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocatedAtStart;
        if (_start != 0) AllocationProfile.Active?.End(client, records); // warm-ups are not started: not profiled
        var (p50, p99) = Latency.Percentiles();
        return new RunResult(client, records, Volatile.Read(ref _failed), elapsed, (long)records * valueSize, p50, p99,
            (double)allocated / records, GC.CollectionCount(0) - _gen0, GC.CollectionCount(1) - _gen1, GC.CollectionCount(2) - _gen2, cpu, brokerCpu);
    }

    /// <summary>User+sys time of the whole process so far (a fresh Process object: its values are read once).</summary>
    private static TimeSpan ProcessorTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
