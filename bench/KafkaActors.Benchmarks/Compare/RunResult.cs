namespace KafkaActors.Benchmarks.Compare;

/// <summary>What one client did on one workload.</summary>
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
    int Gen2)
{
    public double MessagesPerSecond => Records / Elapsed.TotalSeconds;
    public double MegabytesPerSecond => ValueBytes / Elapsed.TotalSeconds / (1024 * 1024);
}
