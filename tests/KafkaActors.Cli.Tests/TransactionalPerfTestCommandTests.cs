using System.Text.RegularExpressions;
using Confluent.Kafka;
using KafkaActors.Testing;
using KafkaActors.Testing.RawLog;
using Xunit;

namespace KafkaActors.Cli.Tests;

/// <summary>
/// kafka-actors perf-test with Kafka's transaction flags: the report as without them, and every record read back in
/// read_committed, in transactions that the raw log shows were committed along the way.
/// </summary>
public sealed class TransactionalPerfTestCommandTests : IDisposable
{
    private static readonly Regex FinalLine = new(
        @"^(\d+) records sent, [\d.]+ records/sec \([\d.]+ MB/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$",
        RegexOptions.Multiline);

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);
    private readonly EmbeddedKafka _kafka;

    public TransactionalPerfTestCommandTests()
    {
        LibRdKafka.EnsureLoaded();
        _kafka = EmbeddedKafka.Start(1);
    }

    public void Dispose() => _kafka.Dispose();

    [Fact]
    public async Task Transactions_are_committed_every_duration_and_every_record_is_committed()
    {
        var topic = $"perf-tx-{Guid.NewGuid():N}";
        _kafka.CreateTopic(topic, 1, 1); // one partition: one COMMIT marker per transaction
        // 20,000 records at 10,000/s take at least 2 s: the throttler catches up after each blocking commit, so with
        // 100 ms transactions that is several commits even if each took half a second on a loaded machine.
        var result = await CliProcess.Run(null, TimeSpan.FromSeconds(120),
            "perf-test", "--topic", topic, "--num-records", "20000", "--record-size", "100", "--throughput", "10000",
            "--producer-props", $"bootstrap.servers={_kafka.BootstrapServers}",
            "--transactional-id", "perf-tx", "--transaction-duration-ms", "100");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("20000", FinalLine.Match(result.Out).Groups[1].Value);
        var committed = KafkaReader.ReadAll(_kafka.BootstrapServers, topic, ReadTimeout, IsolationLevel.ReadCommitted);
        Assert.Equal(20000, committed.Count);
        Assert.All(committed, r => Assert.Equal(100, r.Value!.Length));

        var log = RawLogReader.ReadLogs(_kafka.BootstrapServers, topic, ReadTimeout)[0];
        Assert.Equal(20000, log.ReadCommitted().Count);
        var markers = log.Batches.Where(b => b.IsControl).Select(b => b.ControlType).ToList();
        Assert.True(markers.Count >= 3, $"{markers.Count} transactions in a run of at least 2 s with 100 ms transactions");
        Assert.All(markers, m => Assert.Equal(ControlRecordType.Commit, m));
    }

    [Fact]
    public async Task A_transactional_id_in_the_producer_props_alone_turns_transactions_on()
    {
        var topic = $"perf-tx-{Guid.NewGuid():N}";
        _kafka.CreateTopic(topic, 1, 1);
        var result = await CliProcess.Run(null, TimeSpan.FromSeconds(120),
            "perf-test", "--topic", topic, "--num-records", "2000", "--record-size", "10", "--throughput", "-1",
            "--producer-props", $"bootstrap.servers={_kafka.BootstrapServers}", "transactional.id=perf-props");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Matches(FinalLine, result.Out);
        var log = RawLogReader.ReadLogs(_kafka.BootstrapServers, topic, ReadTimeout)[0];
        Assert.Equal(2000, log.ReadCommitted().Count);
        Assert.Contains(log.Batches, b => b.IsControl && b.ControlType == ControlRecordType.Commit);
        Assert.All(log.Batches.Where(b => !b.IsControl), b => Assert.True(b.IsTransactional));
    }

    [Fact]
    public async Task A_refused_commit_ends_the_run_with_one_line_and_exit_code_1()
    {
        var topic = $"perf-tx-{Guid.NewGuid():N}";
        _kafka.CreateTopic(topic, 1, 1);
        _kafka.PushRequestErrors(ApiKeys.EndTxn, KafkaErrorCodes.TransactionalIdAuthorizationFailed);
        var result = await CliProcess.Run(null, TimeSpan.FromSeconds(120),
            "perf-test", "--topic", topic, "--num-records", "5000", "--record-size", "10", "--throughput", "-1",
            "--producer-props", $"bootstrap.servers={_kafka.BootstrapServers}", "--transaction-duration-ms", "60000");

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Error: a transaction was not committed, stopped after 5000 of 5000 records: ", error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Empty(RawLogReader.ReadLogs(_kafka.BootstrapServers, topic, ReadTimeout)[0].ReadCommitted());
    }

    [Fact]
    public async Task A_transaction_duration_of_zero_is_a_usage_error()
    {
        var result = await CliProcess.Run(null, TimeSpan.FromSeconds(30),
            "perf-test", "--topic", "t", "--num-records", "10", "--record-size", "10", "--throughput", "-1", "--transaction-duration-ms", "0");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--transaction-duration-ms should be greater than zero", result.Error);
        Assert.Contains("--transactional-id <transactional-id>", result.Error); // the usage that follows
    }
}
