using BenchmarkDotNet.Running;
using KafkaActors.Benchmarks.Compare;

// compare (default): both clients, every workload, one table.   micro: BenchmarkDotNet hot-path benchmarks.
if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
    return 0;
}
return await ComparisonRunner.Run(args.Length > 0 && args[0] == "compare" ? args[1..] : args);
