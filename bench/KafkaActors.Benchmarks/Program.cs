using BenchmarkDotNet.Running;
using KafkaActors.Benchmarks.Cold;
using KafkaActors.Benchmarks.Compare;
using KafkaActors.Benchmarks.PerfTwin;
using KafkaActors.Benchmarks.Scale;

// compare (default): both clients, every workload, one table.   micro: BenchmarkDotNet hot-path benchmarks.
// cold: the README's perf-test cold, against confluent-perf-test (its Confluent.Kafka twin), fresh processes.
// confluent-perf-test: that twin (bench/cpu-per-record.sh runs it against a broker process for the marginal CPU figure).
// scale: thousands of partitions and many producers in one ActorSystem (memory, actors, timers, idle CPU, spread).
// Before any socket: this process's .NET sockets are KafkaActors' (see the CLI's InlineSocketCompletions).
KafkaActors.Cli.InlineSocketCompletions.Enable();
if (args.Length > 0 && args[0] == "cold") return ColdStartRunner.Run(args[1..]);
if (args.Length > 0 && args[0] == ConfluentPerfTest.Command) return ConfluentPerfTest.Run(args[1..]);
if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
    return 0;
}
if (args.Length > 0 && args[0] == "scale") return await ScaleRunner.Run(args[1..]);
return await ComparisonRunner.Run(args.Length > 0 && args[0] == "compare" ? args[1..] : args);
