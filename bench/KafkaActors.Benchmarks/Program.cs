using BenchmarkDotNet.Running;
using KafkaActors.Benchmarks.Compare;
using KafkaActors.Benchmarks.Scale;

// compare (default): both clients, every workload, one table.   micro: BenchmarkDotNet hot-path benchmarks.
// scale: thousands of partitions and many producers in one ActorSystem (memory, actors, timers, idle CPU, spread).
if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
    return 0;
}
if (args.Length > 0 && args[0] == "scale") return await ScaleRunner.Run(args[1..]);
return await ComparisonRunner.Run(args.Length > 0 && args[0] == "compare" ? args[1..] : args);
