using System.Text;
using Akka.Actor;
using KafkaActors.Testing;
using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Secure;
using KafkaActors.Tests.Support;
using KafkaActors.Transactions;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Transactions;

/// <summary>
/// SendOffsetsToTransaction end to end: our transactional producer through a PLAINTEXT front, whose
/// <see cref="TransactionalOffsetStore"/> commits the offsets on EndTxn(commit) as Kafka does (the mock alone never
/// stores them). The group's offsets are read back with Confluent's Committed(), the records with the raw log's markers
/// (the mock's Fetch ignores isolation levels). The transaction and group coordinators are different brokers.
/// </summary>
public sealed class SendOffsetsToTransactionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly SecureEmbeddedKafka _kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
    {
        Brokers = 3,
        SecurityProtocol = ListenerSecurityProtocol.Plaintext,
    });
    private readonly string _input = Topics.Unique("txn-offsets-in");
    private readonly string _output = Topics.Unique("txn-offsets-out");

    public Task InitializeAsync()
    {
        _kafka.Cluster.CreateTopic(_input, partitions: 2);
        _kafka.Cluster.CreateTopic(_output, partitions: 3);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _kafka.DisposeAsync();

    private static string Text(byte[]? bytes) => bytes is null ? "" : Encoding.UTF8.GetString(bytes);

    private KafkaProducer<string?, string?> Producer(string transactionalId, string group)
    {
        _kafka.Cluster.SetTransactionCoordinator(transactionalId, 1);
        _kafka.Cluster.SetGroupCoordinator(group, 2);
        return Producers.Strings(_kafka.BootstrapServers, ("transactional.id", transactionalId), ("linger.ms", "5"));
    }

    private Dictionary<TopicPartition, OffsetAndMetadata> Consumed(long offset0, long offset1) => new()
    {
        [new TopicPartition(_input, 0)] = new OffsetAndMetadata(offset0, "m-0"),
        [new TopicPartition(_input, 1)] = new OffsetAndMetadata(offset1),
    };

    private long?[] GroupOffsets(string group) =>
        GroupOffsetsReader.ReadCommittedOffsets(_kafka.BootstrapServers, group, _input, Timeout)
            .OrderBy(o => o.Key).Select(o => o.Value).ToArray();

    [Fact]
    public async Task Offsets_sent_in_a_committed_transaction_become_the_groups_and_those_of_an_aborted_one_do_not()
    {
        var group = Topics.Unique("facade-group");
        var transactionalId = Topics.Unique("facade-txn");
        await using var producer = Producer(transactionalId, group);
        producer.InitTransactions(Timeout);

        producer.BeginTransaction();
        var sent = Enumerable.Range(0, 30).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(_output, $"k{i % 5}", $"c{i}"))).ToArray();
        producer.SendOffsetsToTransaction(Consumed(120, 87), new ConsumerGroupMetadata(group), Timeout);
        // What our producer sent with TxnOffsetCommit, as the mock accepted it: pending, not yet the group's.
        Assert.Equal([(0, 120L, "m-0", -1), (1, 87L, null, -1)],
            _kafka.TransactionalOffsets!.Pending(transactionalId).Select(p => (p.Partition, p.Offset, p.Metadata, p.LeaderEpoch)));
        Assert.All(_kafka.TransactionalOffsets.Pending(transactionalId), p => Assert.Equal(group, p.GroupId));
        Assert.Equal([null, null], GroupOffsets(group));
        producer.CommitTransaction(Timeout);
        Assert.All(sent, t => Assert.True(t.IsCompletedSuccessfully));

        Assert.Equal([120L, 87L], GroupOffsets(group));
        Assert.Empty(_kafka.TransactionalOffsets.Pending());

        producer.BeginTransaction();
        var aborted = Enumerable.Range(0, 10).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(_output, $"k{i % 5}", $"a{i}"))).ToArray();
        await producer.SendOffsetsToTransactionAsync(Consumed(500, 501), new ConsumerGroupMetadata(group));
        Assert.Equal(2, _kafka.TransactionalOffsets.Pending(transactionalId).Count);
        producer.AbortTransaction(Timeout);
        await Task.WhenAll(aborted.Select(t => t.ContinueWith(_ => { })));

        Assert.Equal([120L, 87L], GroupOffsets(group));
        Assert.Empty(_kafka.TransactionalOffsets.Pending());

        var read = RawLogReader.ReadCommitted(_kafka.BootstrapServers, _output, Timeout);
        output.WriteLine($"read {read.Count} committed records; front: {_kafka.TransactionalOffsets}");
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"c{i}").Order(), read.Select(r => Text(r.Value)).Order());
        Assert.Empty(LogSequenceChecker.FindViolations(RawLogReader.ReadLogs(_kafka.BootstrapServers, _output, Timeout)));
    }

    [Fact]
    public async Task The_Tell_form_answers_OffsetsSentToTransaction_and_commits_or_aborts_the_offsets_with_the_transaction()
    {
        var group = Topics.Unique("tell-group");
        var transactionalId = Topics.Unique("tell-txn");
        await using var producer = Producer(transactionalId, group);
        var actor = producer.Actor;
        Assert.IsType<TransactionsInitialized>(await actor.Ask<object>(InitTransactions.Instance, Timeout));

        Assert.IsType<TransactionBegun>(await actor.Ask<object>(BeginTransaction.Instance, Timeout));
        var delivered = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            actor.Ask<object>(new Produce<string?, string?>(new ProducerRecord<string?, string?>(_output, $"k{i}", $"t{i}"), i), Timeout)));
        Assert.All(delivered, d => Assert.IsType<Delivered>(d));
        Assert.IsType<OffsetsSentToTransaction>(await actor.Ask<object>(new SendOffsetsToTransaction(Consumed(12, 0), new ConsumerGroupMetadata(group)), Timeout));
        Assert.Equal([null, null], GroupOffsets(group));
        Assert.IsType<TransactionCommitted>(await actor.Ask<object>(CommitTransaction.Instance, Timeout));
        Assert.Equal([12L, 0L], GroupOffsets(group));

        Assert.IsType<TransactionBegun>(await actor.Ask<object>(BeginTransaction.Instance, Timeout));
        Assert.IsType<OffsetsSentToTransaction>(await actor.Ask<object>(new SendOffsetsToTransaction(Consumed(40, 41), new ConsumerGroupMetadata(group)), Timeout));
        Assert.IsType<TransactionAborted>(await actor.Ask<object>(AbortTransaction.Instance, Timeout));
        Assert.Equal([12L, 0L], GroupOffsets(group));
        Assert.Equal(TransactionState.Ready, producer.TransactionState);

        var read = RawLogReader.ReadCommitted(_kafka.BootstrapServers, _output, Timeout);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"t{i}").Order(), read.Select(r => Text(r.Value)).Order());
    }

    [Fact]
    public async Task A_retried_EndTxn_commits_the_offsets_once_the_coordinator_answers()
    {
        var group = Topics.Unique("retry-group");
        var transactionalId = Topics.Unique("retry-txn");
        await using var producer = Producer(transactionalId, group);
        producer.InitTransactions(Timeout);

        producer.BeginTransaction();
        await producer.SendAsync(new ProducerRecord<string?, string?>(_output, "k", "r"));
        producer.SendOffsetsToTransaction(Consumed(3, 4), new ConsumerGroupMetadata(group), Timeout);
        // Retriable errors on EndTxn, then a failed commit of the offsets (which the front answers as retriable).
        _kafka.Cluster.PushRequestErrors(KafkaActors.Testing.ApiKeys.EndTxn, KafkaErrorCodes.ConcurrentTransactions, KafkaErrorCodes.CoordinatorLoadInProgress);
        _kafka.Cluster.PushRequestErrors(KafkaActors.Testing.ApiKeys.OffsetCommit, KafkaErrorCodes.CoordinatorNotAvailable);
        producer.CommitTransaction(Timeout);

        Assert.Equal([3L, 4L], GroupOffsets(group));
        Assert.Equal(1, _kafka.TransactionalOffsets!.FailedCommits);
        Assert.Empty(_kafka.TransactionalOffsets.Pending());
        Assert.Equal(["r"], RawLogReader.ReadCommitted(_kafka.BootstrapServers, _output, Timeout).Select(r => Text(r.Value)));
    }
}
