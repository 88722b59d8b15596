using System.Text;
using Confluent.Kafka;
using KafkaActors.Testing;
using KafkaActors.Testing.RawLog;
using Xunit;

namespace KafkaActors.Cli.Tests;

/// <summary>
/// kafka-actors produce --transactional-id: lines in, transactions of N records out, read back in read_committed
/// with Confluent's consumer and with the raw log's transactional view (the mock's Fetch ignores the isolation level).
/// </summary>
public sealed class TransactionalProduceCommandTests : IDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);
    private readonly EmbeddedKafka _kafka;

    public TransactionalProduceCommandTests()
    {
        LibRdKafka.EnsureLoaded();
        _kafka = EmbeddedKafka.Start(3);
    }

    public void Dispose() => _kafka.Dispose();

    private string Topic(int partitions)
    {
        var topic = $"cli-tx-{Guid.NewGuid():N}";
        _kafka.CreateTopic(topic, partitions, 1);
        return topic;
    }

    private static List<string> Lines(int count) => Enumerable.Range(0, count).Select(i => $"value {i} ümlaut").ToList();

    private static string Input(IEnumerable<string> lines) => string.Join('\n', lines) + "\n";

    [Fact]
    public async Task Lines_are_committed_in_transactions_of_N_records_in_order()
    {
        var topic = Topic(1);
        var lines = Lines(2500);
        var result = await CliProcess.Run(Input(lines), TimeSpan.FromSeconds(90),
            "produce", "--bootstrap-server", _kafka.BootstrapServers, "--topic", topic,
            "--transactional-id", "cli-loader", "--transaction-records", "1000");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("", result.Error);
        var committed = KafkaReader.ReadAll(_kafka.BootstrapServers, topic, ReadTimeout, IsolationLevel.ReadCommitted);
        Assert.Equal(lines.Select(Encoding.UTF8.GetBytes), committed.Select(r => r.Value!)); // count, order and bytes

        var log = RawLogReader.ReadLogs(_kafka.BootstrapServers, topic, ReadTimeout)[0];
        Assert.Equal(lines, log.ReadCommitted().Select(r => Encoding.UTF8.GetString(r.Value!)));
        // 1000 + 1000 + 500: three transactions, each ended by its own COMMIT marker.
        Assert.Equal([ControlRecordType.Commit, ControlRecordType.Commit, ControlRecordType.Commit],
            log.Batches.Where(b => b.IsControl).Select(b => b.ControlType!.Value));
        Assert.All(log.Batches.Where(b => !b.IsControl), b => Assert.True(b.IsTransactional));
    }

    [Fact]
    public async Task Keyed_lines_keep_their_order_per_key_over_partitions()
    {
        var topic = Topic(4);
        var lines = Enumerable.Range(0, 700).Select(i => $"key-{i % 5}\tv{i}").ToList();
        var result = await CliProcess.Run(Input(lines), TimeSpan.FromSeconds(90),
            "produce", "--bootstrap-server", _kafka.BootstrapServers, "--topic", topic, "--property", "parse.key=true",
            "--producer-property", "transactional.id=cli-keyed"); // transactions through the property alone, 1000 per transaction

        Assert.True(result.ExitCode == 0, result.Error);
        var committed = KafkaReader.ReadAll(_kafka.BootstrapServers, topic, ReadTimeout, IsolationLevel.ReadCommitted);
        Assert.Equal(lines.Order(), committed.Select(r => $"{Encoding.UTF8.GetString(r.Key!)}\t{Encoding.UTF8.GetString(r.Value!)}").Order());
        foreach (var key in committed.GroupBy(r => Encoding.UTF8.GetString(r.Key!)))
        {
            var numbers = key.OrderBy(r => r.Offset).Select(r => int.Parse(Encoding.UTF8.GetString(r.Value!)[1..])).ToList();
            Assert.Equal(numbers.Order(), numbers);
        }
        var logs = RawLogReader.ReadLogs(_kafka.BootstrapServers, topic, ReadTimeout);
        Assert.Equal(700, logs.Values.Sum(l => l.ReadCommitted().Count));
        // One transaction: at most one COMMIT marker per partition, and one on every partition that has records.
        Assert.All(logs.Values.Where(l => l.ReadUncommitted().Count > 0),
            l => Assert.Equal([ControlRecordType.Commit], l.Batches.Where(b => b.IsControl).Select(b => b.ControlType!.Value)));
    }

    [Fact]
    public async Task A_commit_refused_by_the_coordinator_is_one_line_and_exit_code_1()
    {
        var topic = Topic(1);
        var lines = Lines(2500);
        // The first EndTxn commits; the second is refused with a fatal error.
        _kafka.PushRequestErrors(ApiKeys.EndTxn, KafkaErrorCodes.None, KafkaErrorCodes.TransactionalIdAuthorizationFailed);
        var result = await CliProcess.Run(Input(lines), TimeSpan.FromSeconds(90),
            "produce", "--bootstrap-server", _kafka.BootstrapServers, "--topic", topic,
            "--transactional-id", "cli-refused", "--transaction-records", "1000");

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(ErrorLines(result));
        Assert.StartsWith("Error: transaction 2 (lines 1001-2000) was not committed: ", error);
        Assert.Contains("uthoriz", error);
        Assert.DoesNotContain("   at ", result.Error);

        // Read_committed sees the first transaction only: the second never ended, and the rest of the input was not sent.
        var log = RawLogReader.ReadLogs(_kafka.BootstrapServers, topic, ReadTimeout)[0];
        Assert.Equal(lines.Take(1000), log.ReadCommitted().Select(r => Encoding.UTF8.GetString(r.Value!)));
        Assert.Equal(2000, log.ReadUncommitted().Count);
    }

    [Fact]
    public async Task A_topic_that_does_not_exist_fails_the_transaction_with_one_line()
    {
        var topic = $"cli-tx-missing-{Guid.NewGuid():N}";
        var result = await CliProcess.Run(Input(Lines(3)), TimeSpan.FromSeconds(90),
            "produce", "--bootstrap-server", _kafka.BootstrapServers, "--topic", topic, "--transactional-id", "cli-missing",
            "--producer-property", "allow.auto.create.topics=false", "--producer-property", "max.block.ms=2000");

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(ErrorLines(result));
        Assert.StartsWith("Error: transaction 1 (line 1) was ", error);
        Assert.Contains(topic, error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task Transaction_records_needs_a_transactional_id_and_a_positive_count()
    {
        var without = await CliProcess.Run("", TimeSpan.FromSeconds(30),
            "produce", "--bootstrap-server", _kafka.BootstrapServers, "--topic", "t", "--transaction-records", "10");
        Assert.Equal(1, without.ExitCode);
        Assert.Contains("--transaction-records needs --transactional-id", without.Error);

        var zero = await CliProcess.Run("", TimeSpan.FromSeconds(30),
            "produce", "--bootstrap-server", _kafka.BootstrapServers, "--topic", "t", "--transactional-id", "x", "--transaction-records", "0");
        Assert.Equal(1, zero.ExitCode);
        Assert.Contains("--transaction-records should be greater than zero", zero.Error);

        var help = await CliProcess.Run(null, TimeSpan.FromSeconds(30), "produce", "--help");
        Assert.Contains("--transactional-id <transactional id>", help.Out);
        Assert.Contains("--transaction-records <records>", help.Out);
    }

    private static List<string> ErrorLines(CliProcess.Result result) =>
        result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
