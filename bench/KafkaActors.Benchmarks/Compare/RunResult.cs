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

    /// <summary>Each figure's median over <paramref name="runs"/> of one client and workload (failures summed); one run is itself.</summary>
    public static RunResult Median(IReadOnlyList<RunResult> runs)
    {
        if (runs.Count == 1) return runs[0];
        var first = runs[0];
        return first with
        {
            Failed = runs.Sum(r => r.Failed),
            Elapsed = TimeSpan.FromTicks((long)Median(runs.Select(r => (double)r.Elapsed.Ticks))),
            P50Ms = Median(runs.Select(r => r.P50Ms)),
            P99Ms = Median(runs.Select(r => r.P99Ms)),
            AllocatedBytesPerRecord = Median(runs.Select(r => r.AllocatedBytesPerRecord)),
            Gen0 = (int)Median(runs.Select(r => (double)r.Gen0)),
            Gen1 = (int)Median(runs.Select(r => (double)r.Gen1)),
            Gen2 = (int)Median(runs.Select(r => (double)r.Gen2)),
            CpuTime = TimeSpan.FromTicks((long)Median(runs.Select(r => (double)r.CpuTime.Ticks))),
            BrokerCpuTime = runs.Any(r => r.BrokerCpuTime is null) ? null : TimeSpan.FromTicks((long)Median(runs.Select(r => (double)r.BrokerCpuTime!.Value.Ticks))),
        };
    }

    /// <summary>The middle value (the mean of the two middle ones for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("No values.", nameof(values));
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
    public double MegabytesPerSecond => ValueBytes / Elapsed.TotalSeconds / (1024 * 1024);
}
