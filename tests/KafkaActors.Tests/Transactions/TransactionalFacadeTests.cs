using System.Text;
using KafkaActors.Errors;
using KafkaActors.Testing;
using KafkaActors.Testing.RawLog;
using KafkaActors.Tests.Support;
using KafkaActors.Transactions;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Transactions;

/// <summary>The facade's transactional API against the embedded cluster's transaction coordinator, read back with Confluent's consumer (read_committed).</summary>
public sealed class TransactionalFacadeTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    private static string Text(byte[]? bytes) => bytes is null ? "" : Encoding.UTF8.GetString(bytes);

    [Fact]
    public async Task Committed_transactions_are_read_back_and_aborted_ones_are_not()
    {
        var topic = fixture.CreateTopic("txn-commit", 3);
        await using var producer = Producers.Strings(fixture.Bootstrap, ("transactional.id", Topics.Unique("txn")), ("linger.ms", "5"));
        producer.InitTransactions(TimeSpan.FromSeconds(30));
        Assert.Equal(TransactionState.Ready, producer.TransactionState);

        producer.BeginTransaction();
        var committed = Enumerable.Range(0, 300).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, $"k{i % 7}", $"c{i}"))).ToArray();
        producer.CommitTransaction(TimeSpan.FromSeconds(30));
        Assert.All(committed, t => Assert.True(t.IsCompletedSuccessfully));

        producer.BeginTransaction();
        var aborted = Enumerable.Range(0, 50).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, $"k{i % 7}", $"a{i}"))).ToArray();
        producer.AbortTransaction(TimeSpan.FromSeconds(30));
        await Task.WhenAll(aborted.Select(t => t.ContinueWith(_ => { })));
        foreach (var t in aborted.Where(t => t.IsFaulted)) Assert.IsType<TransactionAbortedException>(t.Exception!.InnerException);

        producer.BeginTransaction();
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "last", "c-last"));
        await producer.CommitTransactionAsync();

        // The mock's Fetch ignores isolation levels: what read_committed would see comes from the raw log's markers.
        var read = RawLogReader.ReadCommitted(fixture.Bootstrap, topic, KafkaFixtureBase.ReadTimeout);
        output.WriteLine($"read {read.Count}");
        Assert.Equal(301, read.Count);
        Assert.DoesNotContain(read, r => Text(r.Value).StartsWith('a'));
        Assert.Empty(LogSequenceChecker.FindViolations(RawLogReader.ReadLogs(fixture.Bootstrap, topic, KafkaFixtureBase.ReadTimeout)));
    }
}
