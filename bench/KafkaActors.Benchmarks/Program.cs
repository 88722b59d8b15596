using BenchmarkDotNet.Running;
using KafkaActors.Benchmarks.Compare;
using KafkaActors.Benchmarks.PerfTest;

// compare (default): both clients, every workload, one table.   micro: BenchmarkDotNet hot-path benchmarks.
// confluent-perf-test: kafka-actors perf-test's loop through Confluent.Kafka (bench/cpu-per-record.sh runs both).
if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
    return 0;
}
if (args.Length > 0 && args[0] == "confluent-perf-test") return ConfluentPerfTest.Run(args[1..]);
return await ComparisonRunner.Run(args.Length > 0 && args[0] == "compare" ? args[1..] : args);
