using System.Text.RegularExpressions;
using KafkaActors.Testing;
using Xunit;

namespace KafkaActors.Cli.Tests;

/// <summary>kafka-actors perf-test, like kafka-producer-perf-test: Kafka's report format, and every record really written.</summary>
public sealed class PerfTestCommandTests
{
    private static readonly Regex FinalLine = new(
        @"^(\d+) records sent, [\d.]+ records/sec \([\d.]+ MB/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$",
        RegexOptions.Multiline);

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
