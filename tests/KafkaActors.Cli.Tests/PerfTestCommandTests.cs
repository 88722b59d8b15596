using System.Text.RegularExpressions;
using KafkaActors.Testing;
using Xunit;

namespace KafkaActors.Cli.Tests;

/// <summary>kafka-actors perf-test, like kafka-producer-perf-test: Kafka's report format, and every record really written.</summary>
public sealed class PerfTestCommandTests
{
    private static readonly Regex FinalLine = new(
        @"^(\d+)(?: steady state)? records sent, [\d.]+ records/sec \([\d.]+ MB/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$",
        RegexOptions.Multiline);

    private static readonly Regex WindowLine = new(
        @"^\d+ records sent, [\d.]+ records/sec \([\d.]+ MB/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency\.$", RegexOptions.Multiline);

    [Fact]
    public async Task Against_a_cluster_it_reports_like_Kafka_and_writes_every_record()
    {
        LibRdKafka.EnsureLoaded();
        using var kafka = EmbeddedKafka.Start(1);
        kafka.CreateTopic("perf", 4, 1);
        var result = await CliProcess.Run(null, TimeSpan.FromSeconds(120),
            "perf-test", "--topic", "perf", "--num-records", "30000", "--record-size", "100", "--throughput", "-1",
            "--producer-props", $"bootstrap.servers={kafka.BootstrapServers}", "acks=all", "--print-metrics");

        Assert.True(result.ExitCode == 0, result.Error);
        var match = FinalLine.Match(result.Out);
        Assert.True(match.Success, result.Out);
        Assert.Equal("30000", match.Groups[1].Value);
        Assert.Contains("producer-metrics:record-send-total:", result.Out);
        Assert.Matches(@"producer-topic-metrics:record-send-total:\{client-id=[^,}]+, topic=perf\} +: 30000\.000", result.Out);
        Assert.Matches(@"producer-node-metrics:request-latency-avg:\{client-id=[^,}]+, node-id=1\} +: ", result.Out);
        var written = KafkaReader.GetWatermarks(kafka.BootstrapServers, "perf").Values.Sum(w => w.High);
        Assert.Equal(30000, written);
    }

    [Fact]
    public async Task Warmup_records_get_a_steady_state_line_and_progress_comes_every_reporting_interval()
    {
        LibRdKafka.EnsureLoaded();
        using var kafka = EmbeddedKafka.Start(1);
        kafka.CreateTopic("warm", 2, 1);
        var result = await CliProcess.Run(null, TimeSpan.FromSeconds(120),
            "perf-test", "--topic", "warm", "--num-records", "3000", "--record-size", "20", "--throughput", "2000",
            "--warmup-records", "1000", "--reporting-interval", "200", "--producer-props", $"bootstrap.servers={kafka.BootstrapServers}");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.StartsWith("Warmup first 1000 records. Steady state results will print after the complete test summary.", result.Out);
        var totals = FinalLine.Matches(result.Out);
        Assert.Equal(2, totals.Count);
        Assert.Equal("3000", totals[0].Groups[1].Value); // the whole run first,
        Assert.StartsWith("2000 steady state records sent, ", totals[1].Value); // then the records after the warm-up
        // About 1.5 s at 2000 records/s: a progress line every 200 ms, where the default 5000 ms would print none.
        var windows = WindowLine.Matches(result.Out).Count;
        Assert.True(windows >= 3, $"{windows} progress lines:\n{result.Out}");
        Assert.Equal(3000, KafkaReader.GetWatermarks(kafka.BootstrapServers, "warm").Values.Sum(w => w.High));

        var tooMany = await CliProcess.Run(null, TimeSpan.FromSeconds(30),
            "perf-test", "--topic", "warm", "--num-records", "10", "--record-size", "20", "--throughput", "-1", "--warmup-records", "10");
        Assert.Equal(1, tooMany.ExitCode);
        Assert.Contains("--warmup-records must be strictly fewer than the number of records in the test, --num-records", tooMany.Error);
        var zero = await CliProcess.Run(null, TimeSpan.FromSeconds(30),
            "perf-test", "--topic", "warm", "--num-records", "10", "--record-size", "20", "--throughput", "-1", "--reporting-interval", "0");
        Assert.Equal(1, zero.ExitCode);
        Assert.Contains("--reporting-interval should be greater than zero", zero.Error);
        Assert.Contains("--warmup-records <warmup-records>", zero.Error); // the usage printed after it lists both
        Assert.Contains("--reporting-interval <interval-ms>", zero.Error);
    }

    [Fact]
    public async Task Without_bootstrap_servers_it_runs_on_the_embedded_broker()
    {
        var result = await CliProcess.Run(null, TimeSpan.FromSeconds(120),
            "perf-test", "--topic", "perf", "--num-records", "20000", "--record-size", "50", "--throughput", "-1");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("Using embedded Kafka at", result.Error);
        Assert.Matches(FinalLine, result.Out);
    }

    [Fact]
    public async Task Throttled_run_keeps_to_the_requested_rate()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await CliProcess.Run(null, TimeSpan.FromSeconds(120),
            "perf-test", "--topic", "perf", "--num-records", "3000", "--record-size", "10", "--throughput", "1000");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Matches(FinalLine, result.Out);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(2.5), $"3000 records at 1000/s took only {clock.Elapsed}");
    }
}
