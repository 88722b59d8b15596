using System.Collections.Concurrent;
using Akka;
using Akka.Streams.Dsl;
using KafkaActors.Errors;
using KafkaActors.Settings;
using KafkaActors.Streams;
using KafkaActors.Testing;
using KafkaActors.Testing.RawLog;
using KafkaActors.Tests.Support;
using KafkaActors.Transactions;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Streams;

/// <summary>
/// TransactionalFlow and TransactionalSink against the mock's transaction coordinator: transactions cut every N records
/// or T ms, results only after the commit, abort on failure and cancellation, the tail committed on completion. Read
/// back from the raw log (markers, and the read_committed view they give) and with Confluent's consumer.
/// </summary>
public sealed class TransactionalStreamTests(KafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<KafkaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Never = TimeSpan.FromMinutes(10);

    private KafkaProducer<string?, string?> NewProducer() =>
        new(Producers.Settings(fixture.Bootstrap, (ProducerConfig.TransactionalId, Topics.Unique("stream-txn")), (ProducerConfig.LingerMs, "2")), system: Sys);

    private static ProducerMessage<string?, string?, int> Message(string topic, int i) =>
        new(new ProducerRecord<string?, string?>(topic, $"k{i % 5}", $"v{i}"), i);

    private static IEnumerable<string> Values(int from, int count) => Enumerable.Range(from, count).Select(i => $"v{i}");

    private static TransactionalStreamSettings Every(int records, TimeSpan interval) => new() { CommitEveryRecords = records, CommitInterval = interval };

    [Fact]
    public async Task Results_leave_after_each_N_record_commit_and_an_upstream_failure_aborts_the_open_transaction()
    {
        var topic = fixture.CreateTopic("txn-flow", 1);
        await using var producer = NewProducer();
        var failure = new TaskCompletionSource<ProducerMessage<string?, string?, int>>();
        var results = new ConcurrentQueue<ProducerResult<string?, string?, int>>();

        var done = Source.From(Enumerable.Range(0, 250).Select(i => Message(topic, i)))
            .Concat(Source.FromTask(failure.Task))
            .Via(TransactionalFlow.Create<string?, string?, int>(producer, Every(100, Never), offsetOf: null))
            .RunWith(Sink.ForEach<ProducerResult<string?, string?, int>>(results.Enqueue), Sys);

        // 250 records and 2 commit markers in the log: the last 50 are written, in a transaction still open.
        await Poll.Until(() => fixture.CountRecords(topic) >= 252 && results.Count >= 200, Wait, () => $"{fixture.CountRecords(topic)} in the log, {results.Count} results");
        await Task.Delay(300);
        Assert.Equal(200, results.Count); // nothing of the open transaction comes out
        Assert.Equal(TransactionState.InTransaction, producer.TransactionState);

        failure.SetException(new InvalidOperationException("upstream broke"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => done.WaitAsync(Wait));
        Assert.Equal("upstream broke", error.Message);
        Assert.Equal(TransactionState.Ready, producer.TransactionState);

        var log = TransactionLog.Read(fixture.Bootstrap, topic);
        Assert.Equal([(ControlRecordType.Commit, 100), (ControlRecordType.Commit, 100), (ControlRecordType.Abort, 50)], log.Transactions(0));
        Assert.Equal(Values(0, 200), log.Committed);
        Assert.Equal(Values(0, 250), log.Uncommitted);
        Assert.Equal(Values(0, 250), log.ConfluentUncommitted);

        // Results in input order, with their pass-through, where the records are.
        var committed = log.Partitions[0].ReadCommitted();
        Assert.Equal(Enumerable.Range(0, 200), results.Select(r => r.PassThrough));
        Assert.Equal(committed.Select(r => r.Offset), results.Select(r => r.Metadata.Offset));
    }

    [Fact]
    public async Task A_slow_source_commits_on_the_interval()
    {
        var topic = fixture.CreateTopic("txn-interval", 1);
        await using var producer = NewProducer();

        // One record per 50 ms at most: a transaction open for 200 ms holds a handful, far below 1000.
        await Source.From(Enumerable.Range(0, 20).Select(i => Message(topic, i)))
            .Throttle(1, TimeSpan.FromMilliseconds(50), 1, Akka.Streams.ThrottleMode.Shaping)
            .RunWith(TransactionalSink.Create<string?, string?, int>(producer, Every(1000, TimeSpan.FromMilliseconds(200)), offsetOf: null), Sys)
            .WaitAsync(Wait);

        var log = TransactionLog.Read(fixture.Bootstrap, topic);
        var transactions = log.Transactions(0);
        Output?.WriteLine(string.Join(", ", transactions));
        Assert.All(transactions, t => Assert.Equal(ControlRecordType.Commit, t.Outcome));
        Assert.True(transactions.Count >= 2, $"{transactions.Count} transaction(s)");
        Assert.All(transactions, t => Assert.InRange(t.Records, 1, 19));
        Assert.Equal(Values(0, 20), log.Committed);
    }

    [Fact]
    public async Task An_element_pulled_before_a_timed_commit_goes_into_the_next_transaction()
    {
        var topic = fixture.CreateTopic("txn-held", 1);
        await using var producer = NewProducer();
        // Slow answers make each commit last over 100 ms, while the throttled source pushes the element pulled before it.
        fixture.Kafka.SetBrokerRtt(1, 100);
        try
        {
            var results = await Source.From(Enumerable.Range(0, 30).Select(i => Message(topic, i)))
                .Throttle(1, TimeSpan.FromMilliseconds(20), 1, Akka.Streams.ThrottleMode.Shaping)
                .Via(TransactionalFlow.Create<string?, string?, int>(producer, Every(1000, TimeSpan.FromMilliseconds(50)), offsetOf: null))
                .RunWith(Sink.Seq<ProducerResult<string?, string?, int>>(), Sys)
                .WaitAsync(Wait);
            Assert.Equal(Enumerable.Range(0, 30), results.Select(r => r.PassThrough));
        }
        finally
        {
            fixture.Kafka.SetBrokerRtt(1, 0);
        }

        var log = TransactionLog.Read(fixture.Bootstrap, topic);
        var transactions = log.Transactions(0);
        Output?.WriteLine(string.Join(", ", transactions));
        Assert.True(transactions.Count >= 2, $"{transactions.Count} transaction(s)");
        Assert.All(transactions, t => Assert.Equal(ControlRecordType.Commit, t.Outcome));
        Assert.Equal(Values(0, 30), log.Committed);
    }

    [Fact]
    public async Task Completion_commits_the_tail_and_the_producer_runs_the_sink_again()
    {
        var topic = fixture.CreateTopic("txn-tail", 1);
        await using var producer = NewProducer();
        var sink = TransactionalSink.Create<string?, string?, int>(producer, Every(100, Never), offsetOf: null);

        await Source.From(Enumerable.Range(0, 250).Select(i => Message(topic, i))).RunWith(sink, Sys).WaitAsync(Wait);
        // Completed means committed: read at once.
        Assert.Equal(Values(0, 250), TransactionLog.Read(fixture.Bootstrap, topic).Committed);
        Assert.Equal(TransactionState.Ready, producer.TransactionState);

        await Source.From(Enumerable.Range(250, 10).Select(i => Message(topic, i))).RunWith(sink, Sys).WaitAsync(Wait);
        var log = TransactionLog.Read(fixture.Bootstrap, topic);
        Assert.Equal([(ControlRecordType.Commit, 100), (ControlRecordType.Commit, 100), (ControlRecordType.Commit, 50), (ControlRecordType.Commit, 10)], log.Transactions(0));
        Assert.Equal(Values(0, 260), log.Committed);
        Assert.Equal(Values(0, 260), log.ConfluentUncommitted);
    }

    [Fact]
    public async Task A_failed_record_aborts_its_transaction_and_fails_the_sink_whatever_the_decider()
    {
        var topic = fixture.CreateTopic("txn-bad-record", 1);
        await using var producer = NewProducer();
        // Record 130 names partition 7 of a one-partition topic.
        var messages = Enumerable.Range(0, 150).Select(i => i == 130
            ? new ProducerMessage<string?, string?, int>(new ProducerRecord<string?, string?>(topic, 7, "k", "v130"), i)
            : Message(topic, i));
        var resume = Akka.Streams.ActorAttributes.CreateSupervisionStrategy(Akka.Streams.Supervision.Deciders.ResumingDecider);

        var done = Source.From(messages)
            .RunWith(TransactionalSink.Create<string?, string?, int>(producer, Every(100, Never), offsetOf: null).WithAttributes(resume), Sys);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => done.WaitAsync(Wait));
        Output?.WriteLine(error.ToString());
        Assert.Contains("partition", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(TransactionState.Ready, producer.TransactionState);

        var log = TransactionLog.Read(fixture.Bootstrap, topic);
        Assert.Equal(Values(0, 100), log.Committed);
        // Records 100-129 were aborted (if they reached the log at all); nothing after the bad one was taken.
        Assert.Equal(ControlRecordType.Commit, log.Transactions(0)[0].Outcome);
        Assert.All(log.Transactions(0).Skip(1), t => Assert.Equal(ControlRecordType.Abort, t.Outcome));
        Assert.DoesNotContain(log.Uncommitted, v => int.Parse(v[1..]) >= 130);
    }

    [Fact]
    public async Task An_offset_extractor_that_throws_aborts_the_transaction_and_fails_the_sink_with_its_exception()
    {
        var topic = fixture.CreateTopic("txn-bad-extractor", 1);
        await using var producer = NewProducer();
        var settings = Every(100, Never) with { ConsumerGroup = new ConsumerGroupMetadata(Topics.Unique("group")) };
        PartitionOffset? OffsetOf(int i) => i == 150 ? throw new FormatException("no offset in element 150") : null;

        var done = Source.From(Enumerable.Range(0, 200).Select(i => Message(topic, i)))
            .RunWith(TransactionalSink.Create<string?, string?, int>(producer, settings, OffsetOf), Sys);
        var error = await Assert.ThrowsAsync<FormatException>(() => done.WaitAsync(Wait));
        Assert.Equal("no offset in element 150", error.Message);
        Assert.Equal(TransactionState.Ready, producer.TransactionState);

        var log = TransactionLog.Read(fixture.Bootstrap, topic);
        Assert.Equal(Values(0, 100), log.Committed);
        Assert.All(log.Transactions(0).Skip(1), t => Assert.Equal(ControlRecordType.Abort, t.Outcome));
        Assert.DoesNotContain(log.Uncommitted, v => int.Parse(v[1..]) >= 150);
    }

    [Fact]
    public async Task Downstream_cancelling_aborts_the_open_transaction_and_completes()
    {
        var topic = fixture.CreateTopic("txn-cancel", 1);
        await using var producer = NewProducer();

        // Take(150) cancels in the third transaction: its records are aborted, the first two stay committed.
        var results = await Source.From(Enumerable.Range(0, 100_000).Select(i => Message(topic, i)))
            .Via(TransactionalFlow.Create<string?, string?, int>(producer, Every(100, Never), offsetOf: null))
            .Take(150)
            .RunWith(Sink.Seq<ProducerResult<string?, string?, int>>(), Sys)
            .WaitAsync(Wait);
        Assert.Equal(Enumerable.Range(0, 150), results.Select(r => r.PassThrough));
        await Poll.Until(() => producer.TransactionState == TransactionState.Ready, Wait, () => $"state {producer.TransactionState}");

        var log = TransactionLog.Read(fixture.Bootstrap, topic);
        Assert.Equal(Values(0, 200), log.Committed);
        var transactions = log.Transactions(0);
        Assert.Equal([(ControlRecordType.Commit, 100), (ControlRecordType.Commit, 100)], transactions.Take(2));
        Assert.All(transactions.Skip(2), t => Assert.Equal(ControlRecordType.Abort, t.Outcome));
    }

    [Fact]
    public async Task From_producer_settings_each_materialization_has_a_producer_of_its_own()
    {
        var topic = fixture.CreateTopic("txn-owned", 1);
        var settings = Producers.Settings(fixture.Bootstrap, (ProducerConfig.TransactionalId, Topics.Unique("owned-txn")), (ProducerConfig.LingerMs, "2"));
        var flow = TransactionalFlow.Create<string?, string?, int>(settings, Every(100, Never), offsetOf: null);
        var sink = TransactionalSink.Create<string?, string?, int>(settings, Every(100, Never), offsetOf: null);

        var results = await Source.From(Enumerable.Range(0, 150).Select(i => Message(topic, i))).Via(flow)
            .RunWith(Sink.Seq<ProducerResult<string?, string?, int>>(), Sys).WaitAsync(Wait);
        Assert.Equal(Enumerable.Range(0, 150), results.Select(r => r.PassThrough));
        await Source.From(Enumerable.Range(150, 50).Select(i => Message(topic, i))).RunWith(sink, Sys).WaitAsync(Wait);

        var log = TransactionLog.Read(fixture.Bootstrap, topic);
        Assert.Equal(Values(0, 200), log.Committed);
        Assert.Equal([(ControlRecordType.Commit, 100), (ControlRecordType.Commit, 50), (ControlRecordType.Commit, 50)], log.Transactions(0));
        // Two materializations, two producers: each got its own producer id from InitTransactions.
        var producerIds = log.Partitions[0].Batches.Where(b => !b.IsControl).Select(b => b.ProducerId).Distinct().ToList();
        Assert.Equal(2, producerIds.Count);

        var plain = Producers.Settings(fixture.Bootstrap);
        Assert.Throws<ArgumentException>(() => TransactionalFlow.Create<string?, string?, int>(plain, Every(100, Never), offsetOf: null));
    }

    [Fact]
    public async Task A_materializer_shut_down_mid_transaction_aborts_it()
    {
        var topic = fixture.CreateTopic("txn-abrupt", 1);
        await using var producer = NewProducer();
        var materializer = Akka.Streams.ActorMaterializer.Create(Sys);

        _ = Source.From(Enumerable.Range(0, 50).Select(i => Message(topic, i))).Concat(Source.Never<ProducerMessage<string?, string?, int>>())
            .RunWith(TransactionalSink.Create<string?, string?, int>(producer, Every(100, Never), offsetOf: null), materializer);
        await Poll.Until(() => fixture.CountRecords(topic) >= 50, Wait, () => $"{fixture.CountRecords(topic)} in the log");
        Assert.Equal(TransactionState.InTransaction, producer.TransactionState);

        materializer.Shutdown();
        await Poll.Until(() => producer.TransactionState == TransactionState.Ready, Wait, () => $"state {producer.TransactionState}");
        var log = TransactionLog.Read(fixture.Bootstrap, topic);
        Assert.Equal([(ControlRecordType.Abort, 50)], log.Transactions(0));
        Assert.Empty(log.Committed);
    }

    [Fact]
    public async Task A_stage_needs_a_transactional_producer_usable_settings_and_a_group_for_offsets()
    {
        await using var plain = new KafkaProducer<string?, string?>(Producers.Settings(fixture.Bootstrap), system: Sys);
        Assert.Throws<ArgumentException>(() => TransactionalSink.Create<string?, string?, int>(plain, new TransactionalStreamSettings(), offsetOf: null));

        await using var producer = NewProducer();
        Assert.Throws<ArgumentOutOfRangeException>(() => TransactionalFlow.Create<string?, string?, int>(producer, Every(0, Never), offsetOf: null));
        Assert.Throws<ArgumentOutOfRangeException>(() => TransactionalFlow.Create<string?, string?, int>(producer, Every(1, TimeSpan.Zero), offsetOf: null));
        var error = Assert.Throws<ArgumentException>(() => TransactionalFlow.Create(producer, new TransactionalStreamSettings()));
        Assert.Contains(nameof(TransactionalStreamSettings.ConsumerGroup), error.Message);
    }

    [Fact]
    public async Task A_producer_with_a_transaction_open_elsewhere_fails_the_stage_and_keeps_that_transaction()
    {
        var topic = fixture.CreateTopic("txn-busy", 1);
        await using var producer = NewProducer();
        await producer.InitTransactionsAsync().WaitAsync(Wait);
        producer.BeginTransaction();

        var done = Source.From(Enumerable.Range(0, 10).Select(i => Message(topic, i)))
            .RunWith(TransactionalSink.Create<string?, string?, int>(producer, Every(100, Never), offsetOf: null), Sys);
        var error = await Assert.ThrowsAsync<TransactionStateException>(() => done.WaitAsync(Wait));
        Assert.Equal(TransactionState.InTransaction, error.State);
        Assert.Equal(TransactionState.InTransaction, producer.TransactionState);
        await producer.AbortTransactionAsync().WaitAsync(Wait);
        Assert.Empty(TransactionLog.Read(fixture.Bootstrap, topic).Uncommitted);
    }
}
