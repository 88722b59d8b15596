namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// One workload's runs, KafkaActors and Confluent.Kafka in pairs run back to back (one pair per <c>--repeat</c> round).
/// The table shows each client's medians, and the median of the pairs' ratios: two runs next to each other in time
/// share the machine's load, so their ratio is steadier than a ratio of medians. Immutable.
/// </summary>
public sealed record ComparisonRow(Workload Workload, IReadOnlyList<RunResult> OursRuns, IReadOnlyList<RunResult> TheirsRuns)
{
    public RunResult Ours { get; } = RunResult.Median(OursRuns);

    public RunResult Theirs { get; } = RunResult.Median(TheirsRuns);

    /// <summary>The median over the pairs of ours/theirs of <paramref name="figure"/>; null when a pair has no denominator.</summary>
    public double? PairedRatio(Func<RunResult, double> figure)
    {
        var ratios = OursRuns.Zip(TheirsRuns, (o, t) => figure(t) > 0 ? figure(o) / figure(t) : (double?)null).ToList();
        return ratios.Any(r => r is null) ? null : RunResult.Median(ratios.Select(r => r!.Value));
    }
}
