using KafkaActors.Errors;
using KafkaActors.Tests.Support;
using KafkaActors.Transactions;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Transactions;

/// <summary>The Tell protocol of transactions: each message answered to its sender; records told between Begin and Commit/Abort belong to the transaction.</summary>
public sealed class TransactionalTellTests(KafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<KafkaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private KafkaProducer<string?, string?> NewProducer() =>
        new(Producers.Settings(fixture.Bootstrap, ("transactional.id", Topics.Unique("tell-txn")), ("linger.ms", "5")), system: Sys);

    private static ProducerRecord<string?, string?> Record(string topic, string tag, int i) =>
        new(topic, null, 1_700_000_000_000 + i, $"k{i % 5}", $"{tag}{i}", new Headers().Add("i", i.ToString()));

    private List<(int Partition, ProducerRecord<string?, string?> Record)> TellAll(KafkaProducer<string?, string?> producer, List<ProducerRecord<string?, string?>> records)
    {
        foreach (var (record, i) in records.Select((r, i) => (r, i)))
            producer.Actor.Tell(new Produce<string?, string?>(record, i), TestActor);
        var delivered = ReceiveN(records.Count, Wait).Select(m => Assert.IsType<Delivered>(m)).ToList();
        return delivered.OrderBy(d => (int)d.Correlation!).Select(d => (d.Metadata.Partition, records[(int)d.Correlation!])).ToList();
    }

    [Fact]
    public async Task Init_begin_records_commit_and_abort_are_answered_and_read_back()
    {
        var topic = fixture.CreateTopic("tell-txn", 3);
        await using var producer = NewProducer();

        producer.Actor.Tell(new Produce<string?, string?>(Record(topic, "x", 0), "before-init"), TestActor);
        var early = ExpectMsg<DeliveryFailed>(Wait);
        Assert.Equal("before-init", early.Correlation);
        Assert.Equal(TransactionState.Uninitialized, Assert.IsType<TransactionStateException>(early.Cause).State);

        producer.Actor.Tell(InitTransactions.Instance, TestActor);
        ExpectMsg<TransactionsInitialized>(Wait);

        producer.Actor.Tell(new Produce<string?, string?>(Record(topic, "x", 1), "outside"), TestActor);
        var outside = ExpectMsg<DeliveryFailed>(Wait);
        Assert.Equal("outside", outside.Correlation);
        var state = Assert.IsType<TransactionStateException>(outside.Cause);
        Assert.Equal(TransactionState.Ready, state.State);
        Assert.Contains("Ready", state.Message);

        producer.Actor.Tell(BeginTransaction.Instance, TestActor);
        ExpectMsg<TransactionBegun>(Wait);
        var committed = TellAll(producer, Enumerable.Range(0, 100).Select(i => Record(topic, "c", i)).ToList());
        producer.Actor.Tell(CommitTransaction.Instance, TestActor);
        ExpectMsg<TransactionCommitted>(Wait);

        producer.Actor.Tell(BeginTransaction.Instance, TestActor);
        ExpectMsg<TransactionBegun>(Wait);
        var aborted = TellAll(producer, Enumerable.Range(0, 30).Select(i => Record(topic, "a", i)).ToList());
        producer.Actor.Tell(AbortTransaction.Instance, TestActor);
        ExpectMsg<TransactionAborted>(Wait);

        // Misuse answered with TransactionFailed naming the state.
        producer.Actor.Tell(CommitTransaction.Instance, TestActor);
        var failed = ExpectMsg<TransactionFailed>(Wait);
        Assert.Equal(TransactionState.Ready, Assert.IsType<TransactionStateException>(failed.Cause).State);
        producer.Actor.Tell(BeginTransaction.Instance, TestActor);
        ExpectMsg<TransactionBegun>(Wait);
        producer.Actor.Tell(BeginTransaction.Instance, TestActor);
        var twice = ExpectMsg<TransactionFailed>(Wait);
        Assert.Equal(TransactionState.InTransaction, Assert.IsType<TransactionStateException>(twice.Cause).State);
        var last = TellAll(producer, [Record(topic, "d", 0)]);
        producer.Actor.Tell(CommitTransaction.Instance, TestActor);
        ExpectMsg<TransactionCommitted>(Wait);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        var view = TransactionLog.Read(fixture.Bootstrap, topic);
        TransactionLog.SameInPartitionOrder([.. committed, .. last], view.CommittedRecords);
        TransactionLog.SameInPartitionOrder([.. committed, .. aborted, .. last], view.UncommittedRecords);
        Assert.DoesNotContain(view.UncommittedRecords, r => Text(r.Value)!.StartsWith('x'));
    }
}
