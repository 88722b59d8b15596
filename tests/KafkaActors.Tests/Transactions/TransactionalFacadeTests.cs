using System.Diagnostics;
using KafkaActors.Errors;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using KafkaActors.Transactions;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Transactions;

/// <summary>
/// The facade's transactional API against the embedded cluster's transaction coordinator: commits and aborts read back
/// in both isolation levels, offsets sent to a transaction, a failed record, close with a transaction open.
/// </summary>
public sealed class TransactionalFacadeTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private KafkaProducer<string?, string?> NewProducer(params (string, string)[] overrides) =>
        Producers.Strings(fixture.Bootstrap, [("transactional.id", Topics.Unique("txn")), ("linger.ms", "5"), .. overrides]);

    private static ProducerRecord<string?, string?> Record(string topic, string tag, int i) =>
        new(topic, null, 1_700_000_000_000 + i, $"k{i % 7}", $"{tag}{i}", new Headers().Add("i", i.ToString()).Add("tag", Utf8(tag)).Add("null", (byte[]?)null));

    /// <summary>Sends and awaits every record (so all are written), returning each with the partition it went to.</summary>
    private static async Task<List<(int Partition, ProducerRecord<string?, string?> Record)>> SendAll(
        KafkaProducer<string?, string?> producer, IEnumerable<ProducerRecord<string?, string?>> records)
    {
        var list = records.ToList();
        var sent = list.Select(r => producer.SendAsync(r)).ToArray();
        var metadata = await Task.WhenAll(sent);
        return list.Select((r, i) => (metadata[i].Partition, r)).ToList();
    }

    [Fact]
    public async Task Committed_transactions_are_read_committed_and_aborted_ones_only_read_uncommitted_in_partition_order()
    {
        var topic = fixture.CreateTopic("txn-commit", 3);
        await using var producer = NewProducer();
        producer.InitTransactions(Wait);
        Assert.Equal(TransactionState.Ready, producer.TransactionState);

        producer.BeginTransaction();
        Assert.Equal(TransactionState.InTransaction, producer.TransactionState);
        var first = await SendAll(producer, Enumerable.Range(0, 300).Select(i => Record(topic, "c", i)));
        producer.CommitTransaction(Wait);
        Assert.Equal(TransactionState.Ready, producer.TransactionState);

        producer.BeginTransaction();
        var aborted = await SendAll(producer, Enumerable.Range(0, 50).Select(i => Record(topic, "a", i)));
        producer.AbortTransaction(Wait);
        Assert.Equal(TransactionState.Ready, producer.TransactionState);

        producer.BeginTransaction();
        var last = await SendAll(producer, Enumerable.Range(0, 40).Select(i => Record(topic, "d", i)));
        await producer.CommitTransactionAsync();

        var view = TransactionLog.Read(fixture.Bootstrap, topic);
        output.WriteLine($"committed {view.CommittedRecords.Count}, uncommitted {view.UncommittedRecords.Count}");
        TransactionLog.SameInPartitionOrder([.. first, .. last], view.CommittedRecords);
        TransactionLog.SameInPartitionOrder([.. first, .. aborted, .. last], view.UncommittedRecords);
        // Each transaction ended with a marker in every partition it wrote to.
        foreach (var log in view.Partitions.Values)
            Assert.Equal(3, log.Batches.Count(b => b.IsControl));
    }

    [Fact]
    public async Task Abort_fails_records_not_yet_sent_with_TransactionAbortedException_and_none_is_committed()
    {
        var topic = fixture.CreateTopic("txn-abort-unsent", 2);
        await using var producer = NewProducer(("linger.ms", "2000"), ("batch.size", "1000000"));
        await producer.InitTransactionsAsync();
        producer.BeginTransaction();
        var pending = Enumerable.Range(0, 20).Select(i => producer.SendAsync(Record(topic, "a", i))).ToArray();
        producer.AbortTransaction(Wait);
        await Task.WhenAll(pending.Select(t => t.ContinueWith(_ => { })));
        var failed = pending.Where(t => t.IsFaulted).ToList();
        Assert.NotEmpty(failed); // lingering for 2 s: they were not sent
        foreach (var t in failed) Assert.IsType<TransactionAbortedException>(t.Exception!.InnerException);

        producer.BeginTransaction();
        var next = await SendAll(producer, [Record(topic, "c", 0)]);
        producer.CommitTransaction(Wait);
        var view = TransactionLog.Read(fixture.Bootstrap, topic);
        TransactionLog.SameInPartitionOrder(next, view.CommittedRecords);
        Assert.Equal(20 - failed.Count + 1, view.UncommittedRecords.Count);
    }

    [Fact]
    public async Task SendOffsetsToTransaction_sends_the_offsets_to_the_group_coordinator_with_the_transaction()
    {
        var topic = fixture.CreateTopic("txn-offsets", 2);
        var input = fixture.CreateTopic("txn-offsets-in", 2);
        var group = Topics.Unique("group");
        await using var producer = NewProducer();
        producer.InitTransactions(Wait);
        fixture.Kafka.StartRequestTracking();
        try
        {
            producer.BeginTransaction();
            var sent = await SendAll(producer, Enumerable.Range(0, 10).Select(i => Record(topic, "c", i)));
            producer.SendOffsetsToTransaction(new Dictionary<TopicPartition, OffsetAndMetadata>
            {
                [new TopicPartition(input, 0)] = new(42, "meta"),
                [new TopicPartition(input, 1)] = new(7),
            }, new ConsumerGroupMetadata(group), Wait);
            producer.CommitTransaction(Wait);

            producer.BeginTransaction();
            await producer.SendOffsetsToTransactionAsync(new Dictionary<TopicPartition, OffsetAndMetadata> { [new TopicPartition(input, 0)] = new(99) },
                new ConsumerGroupMetadata(group));
            producer.AbortTransaction(Wait);

            var requests = fixture.Kafka.GetRequests();
            Assert.Equal(2, requests.Count(r => r.ApiKey == ApiKeys.AddOffsetsToTxn));
            Assert.Equal(2, requests.Count(r => r.ApiKey == ApiKeys.TxnOffsetCommit));
            Assert.Equal(2, requests.Count(r => r.ApiKey == ApiKeys.EndTxn));
            var view = TransactionLog.Read(fixture.Bootstrap, topic);
            TransactionLog.SameInPartitionOrder(sent, view.CommittedRecords);
        }
        finally
        {
            fixture.Kafka.StopRequestTracking();
        }
        // The mock validates TxnOffsetCommit but never stores its offsets (see GroupOffsetsReader): nothing to read
        // back here; against a real broker the group would hold 42 and 7.
        var committed = GroupOffsetsReader.ReadCommittedOffsets(fixture.Bootstrap, group, input);
        output.WriteLine(string.Join(", ", committed.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.NotEqual(99, committed[0]);
    }

    [Fact]
    public async Task Failed_record_makes_the_transaction_abortable_and_after_abort_the_next_one_commits()
    {
        var topic = fixture.CreateTopic("txn-abortable", 1);
        await using var producer = NewProducer();
        producer.InitTransactions(Wait);
        producer.BeginTransaction();
        await SendAll(producer, [Record(topic, "a", 0)]); // the partition is in the transaction
        fixture.Kafka.PushRequestErrors(ApiKeys.Produce, KafkaErrorCodes.InvalidRecord);
        var failing = producer.SendAsync(Record(topic, "a", 1));
        var error = await Assert.ThrowsAnyAsync<ApiException>(() => failing);
        output.WriteLine(error.Message);
        await Poll.Until(() => producer.TransactionState == TransactionState.AbortableError, Wait, "AbortableError");

        var commit = Assert.Throws<TransactionStateException>(() => producer.CommitTransaction(Wait));
        Assert.Equal(TransactionState.AbortableError, commit.State);
        Assert.Contains("AbortableError", commit.Message);
        Assert.NotNull(commit.InnerException);
        var send = Assert.Throws<TransactionStateException>(() => producer.Send(Record(topic, "a", 2)));
        Assert.Equal(TransactionState.AbortableError, send.State);

        producer.AbortTransaction(Wait);
        Assert.Equal(TransactionState.Ready, producer.TransactionState);
        producer.BeginTransaction();
        var next = await SendAll(producer, Enumerable.Range(0, 20).Select(i => Record(topic, "c", i)));
        producer.CommitTransaction(Wait);

        var view = TransactionLog.Read(fixture.Bootstrap, topic);
        TransactionLog.SameInPartitionOrder(next, view.CommittedRecords);
        Assert.Equal(21, view.UncommittedRecords.Count);
    }

    [Fact]
    public async Task Close_with_an_open_transaction_aborts_it_within_the_close_timeout()
    {
        var topic = fixture.CreateTopic("txn-close", 2);
        var producer = NewProducer();
        producer.InitTransactions(Wait);
        producer.BeginTransaction();
        var committed = await SendAll(producer, Enumerable.Range(0, 10).Select(i => Record(topic, "c", i)));
        producer.CommitTransaction(Wait);
        producer.BeginTransaction();
        await SendAll(producer, Enumerable.Range(0, 30).Select(i => Record(topic, "a", i)));

        var clock = Stopwatch.StartNew();
        await producer.CloseAsync(TimeSpan.FromSeconds(20));
        output.WriteLine($"closed in {clock.ElapsedMilliseconds} ms");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), clock.Elapsed.ToString());

        var view = TransactionLog.Read(fixture.Bootstrap, topic);
        TransactionLog.SameInPartitionOrder(committed, view.CommittedRecords);
        Assert.Equal(40, view.UncommittedRecords.Count);
        // The abort wrote its markers: no transaction is left open.
        Assert.All(view.Partitions.Values, l => Assert.Equal(l.HighWatermark, l.LastStableOffset));
        Assert.Contains(view.Partitions.Values.SelectMany(l => l.Batches), b => b.IsControl && b.ControlType == KafkaActors.Testing.RawLog.ControlRecordType.Abort);
    }
}
