using System.Globalization;
using KafkaActors.Benchmarks.PerfTwin;

namespace KafkaActors.Benchmarks.Cold;

/// <summary>
/// <c>cold</c>: the README's main job cold. Runs, each as a fresh process and alternating, the built
/// <c>kafka-actors perf-test --topic perf --num-records 1000000 --record-size 100 --throughput -1</c> (the CLI's build
/// output, which this project's reference to it has just built) and its Confluent.Kafka twin
/// (<see cref="ConfluentPerfTest"/>, from this project's own output), then prints the medians: records/sec as perf-test
/// reports it, the ratio, and each whole process's wall and CPU time. Options: <c>--runs N</c> (default 5),
/// <c>--num-records N</c>, <c>--baseline-cli PATH</c> (a third contender, e.g. kafka-actors.dll from a build of main),
/// <c>--env KEY=VALUE</c> (repeatable; set for the KafkaActors runs only, e.g. a DOTNET_ runtime knob),
/// <c>--baseline-env KEY=VALUE</c> (the same for the baseline), <c>--variant-env KEY=VALUE</c> (repeatable: adds a contender,
/// the same CLI with these variables set, e.g. to undo a runtimeconfig knob; variables override runtimeconfig.json).
/// Single-threaded.
/// </summary>
public static class ColdStartRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static int Run(string[] args)
    {
        var runs = int.Parse(Option(args, "--runs") ?? "5", CultureInfo.InvariantCulture);
        var numRecords = Option(args, "--num-records") ?? "1000000";
        var environment = Environment(args, "--env");
        string[] perfTest = ["--topic", "perf", "--num-records", numRecords, "--record-size", "100", "--throughput", "-1"];

        var contenders = new List<(string Name, string Dll, string[] Args, IReadOnlyDictionary<string, string> Environment)>
        {
            ("KafkaActors", Option(args, "--cli") ?? BuiltCli(), ["perf-test", .. perfTest], environment),
            ("Confluent.Kafka", typeof(ColdStartRunner).Assembly.Location, [ConfluentPerfTest.Command, .. perfTest], new Dictionary<string, string>()),
        };
        var variant = Environment(args, "--variant-env");
        if (variant.Count > 0) contenders.Insert(1, ("variant", contenders[0].Dll, contenders[0].Args, variant));
        if (Option(args, "--baseline-cli") is { } baseline)
            contenders.Add(("baseline", Path.GetFullPath(baseline), ["perf-test", .. perfTest], Environment(args, "--baseline-env")));

        Console.WriteLine($"# cold start: {runs} alternating runs of each, fresh processes, perf-test {string.Join(' ', perfTest)}");
        foreach (var (name, dll, _, env) in contenders)
            Console.WriteLine($"# {name}: dotnet {dll}{string.Concat(env.Select(kv => $" {kv.Key}={kv.Value}"))}");
        var results = contenders.ToDictionary(c => c.Name, _ => new List<ChildRun>());
        for (var i = 0; i < runs; i++)
        {
            foreach (var (name, dll, childArgs, env) in contenders)
            {
                var run = ChildRun.Start(name, dll, childArgs, env, Timeout);
                results[name].Add(run);
                Console.WriteLine(Invariant($"{i + 1,2} {name,-16} {run.RecordsPerSecond,12:N0} records/sec  wall {run.Wall.TotalSeconds:F2} s  cpu {Seconds(run.Cpu)}"));
            }
        }

        Console.WriteLine();
        var theirs = Median(results["Confluent.Kafka"], r => r.RecordsPerSecond);
        Console.WriteLine($"| cold, median of {runs} | records/sec | ratio to Confluent.Kafka | process wall s | process CPU s (user+sys) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (name, list) in results)
        {
            var rate = Median(list, r => r.RecordsPerSecond);
            Console.WriteLine(Invariant($"| {name} | {rate:N0} | {rate / theirs:F2}× | {Median(list, r => r.Wall.TotalSeconds):F2} | {CpuMedian(list)} |"));
        }
        return 0;
    }

    /// <summary>tools/KafkaActors.Cli/bin/&lt;configuration&gt;/net10.0/kafka-actors.dll next to this project's own bin folder.</summary>
    private static string BuiltCli()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory); // bench/KafkaActors.Benchmarks/bin/<cfg>/net10.0/
        var configuration = here.Parent!.Name;
        var root = Path.GetFullPath(Path.Combine(here.FullName, "..", "..", "..", "..", ".."));
        var path = Path.Combine(root, "tools", "KafkaActors.Cli", "bin", configuration, "net10.0", "kafka-actors.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("The kafka-actors tool was not built.", path);
    }

    private static double Median(List<ChildRun> runs, Func<ChildRun, double> value)
    {
        var sorted = runs.Select(value).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string CpuMedian(List<ChildRun> runs) =>
        runs.All(r => r.Cpu is not null) ? Invariant($"{Median(runs, r => r.Cpu!.Value.TotalSeconds):F2}") : "n/a";

    private static string Seconds(TimeSpan? cpu) => cpu is { } t ? Invariant($"{t.TotalSeconds:F2} s") : "n/a";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Environment(string[] args, string name) =>
        Options(args, name).Select(e => e.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");

    private static string? Option(string[] args, string name) => Options(args, name).LastOrDefault();

    private static IEnumerable<string> Options(string[] args, string name)
    {
        for (var i = 0; i + 1 < args.Length; i++)
            if (args[i] == name) yield return args[i + 1];
    }
}
