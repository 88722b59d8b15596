namespace KafkaActors.Benchmarks.Compare;

/// <summary>What one client did on one workload; <c>CpuTime</c> is this process's user+sys time during the run.</summary>
public sealed record RunResult(
    string Client,
    int Records,
    int Failed,
    TimeSpan Elapsed,
    long ValueBytes,
    double P50Ms,
    double P99Ms,
    double AllocatedBytesPerRecord,
    int Gen0,
    int Gen1,
    int Gen2,
    TimeSpan CpuTime)
{
    public double CpuMicrosecondsPerRecord => CpuTime.TotalMicroseconds / Records;

    public double MessagesPerSecond => Records / Elapsed.TotalSeconds;
    public double MegabytesPerSecond => ValueBytes / Elapsed.TotalSeconds / (1024 * 1024);
}
