namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// What one client did on one workload; <c>CpuTime</c> is this process's user+sys time during the run, <c>BrokerCpuTime</c>
/// the broker process's (null when the brokers ran in this process).
/// </summary>
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
    TimeSpan CpuTime,
    TimeSpan? BrokerCpuTime)
{
    public double CpuMicrosecondsPerRecord => CpuTime.TotalMicroseconds / Records;

    public double? BrokerCpuMicrosecondsPerRecord => BrokerCpuTime?.TotalMicroseconds / Records;

    public double MessagesPerSecond => Records / Elapsed.TotalSeconds;
    public double MegabytesPerSecond => ValueBytes / Elapsed.TotalSeconds / (1024 * 1024);
}
