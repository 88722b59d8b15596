using KafkaActors.Errors;
using KafkaActors.Tests.Support;
using KafkaActors.Transactions;
using Xunit;

namespace KafkaActors.Tests.Transactions;

/// <summary>Misuse of the facade's transactional API: each call refused with the documented error naming the state.</summary>
public sealed class TransactionMisuseTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static void AssertState(TransactionState expected, Action call)
    {
        var e = Assert.Throws<TransactionStateException>(call);
        Assert.Equal(expected, e.State);
        Assert.Contains(expected.ToString(), e.Message);
    }

    [Fact]
    public async Task Calls_in_the_wrong_state_throw_TransactionStateException_naming_the_state()
    {
        var topic = fixture.CreateTopic("txn-misuse", 1);
        await using var producer = Producers.Strings(fixture.Bootstrap, ("transactional.id", Topics.Unique("misuse")));
        var record = new ProducerRecord<string?, string?>(topic, "k", "v");
        Assert.Equal(TransactionState.Uninitialized, producer.TransactionState);

        AssertState(TransactionState.Uninitialized, () => producer.Send(record));
        AssertState(TransactionState.Uninitialized, () => producer.SendAsync(record));
        AssertState(TransactionState.Uninitialized, producer.BeginTransaction);
        AssertState(TransactionState.Uninitialized, () => producer.CommitTransaction(Wait));

        producer.InitTransactions(Wait);
        AssertState(TransactionState.Ready, () => producer.SendAsync(record));
        AssertState(TransactionState.Ready, () => producer.CommitTransaction(Wait));
        AssertState(TransactionState.Ready, () => producer.SendOffsetsToTransaction(
            new Dictionary<TopicPartition, OffsetAndMetadata> { [new TopicPartition(topic, 0)] = new(1) }, new ConsumerGroupMetadata("g"), Wait));

        producer.BeginTransaction();
        AssertState(TransactionState.InTransaction, producer.BeginTransaction);
        AssertState(TransactionState.InTransaction, () => producer.InitTransactions(Wait));
        await producer.SendAsync(record);
        producer.CommitTransaction(Wait);
        AssertState(TransactionState.Ready, () => producer.CommitTransaction(Wait)); // commit twice
        Assert.Equal(TransactionState.Ready, producer.TransactionState);
    }

    [Fact]
    public async Task Transactional_calls_on_a_non_transactional_producer_throw()
    {
        await using var producer = Producers.Strings(fixture.Bootstrap);
        Assert.Null(producer.TransactionState);
        foreach (var call in new Action[] { () => producer.InitTransactions(Wait), producer.BeginTransaction, () => producer.CommitTransaction(Wait), () => producer.AbortTransaction(Wait) })
        {
            var e = Assert.ThrowsAny<KafkaException>(call);
            Assert.IsNotType<TransactionStateException>(e);
            Assert.Contains("transactional.id", e.Message);
        }
        await Assert.ThrowsAnyAsync<KafkaException>(() => producer.InitTransactionsAsync());
    }

    [Fact]
    public void Idempotence_off_with_a_transactional_id_is_a_ConfigException()
    {
        var e = Assert.Throws<ConfigException>(() => Producers.Settings(fixture.Bootstrap, ("transactional.id", "t"), ("enable.idempotence", "false")));
        Assert.Contains("enable.idempotence", e.Message);
    }
}
