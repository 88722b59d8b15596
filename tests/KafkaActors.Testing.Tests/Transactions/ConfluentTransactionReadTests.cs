using System.Text;
using Confluent.Kafka;
using KafkaActors.Testing.RawLog;
using Xunit;

namespace KafkaActors.Testing.Tests.Transactions;

/// <summary>The readers over a log written by a real transactional client: librdkafka's, through Confluent.Kafka.</summary>
public sealed class ConfluentTransactionReadTests
{
    [Fact]
    public void Committed_and_aborted_transactions_of_librdkafka_read_back_with_keys_and_headers()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 3);
        var topic = TestClients.Topic("confluent-txn");
        kafka.CreateTopic(topic, partitions: 2);
        using (var producer = TestClients.Producer(kafka.BootstrapServers, c => c.TransactionalId = "confluent-txn"))
        {
            producer.InitTransactions(Txn.Timeout);
            producer.BeginTransaction();
            producer.Produce(new TopicPartition(topic, 0), Message("k1", "committed", "h", "1"));
            producer.Produce(new TopicPartition(topic, 1), Message("k2", "committed too", "h", "2"));
            producer.CommitTransaction(Txn.Timeout);
            producer.BeginTransaction();
            producer.Produce(new TopicPartition(topic, 0), Message("k3", "aborted", "h", "3"));
            producer.Flush(Txn.Timeout); // abort would purge what is not sent yet
            producer.AbortTransaction(Txn.Timeout);
        }

        var logs = RawLogReader.ReadLogs(kafka.BootstrapServers, topic, Txn.Timeout);
        var committed = logs.Values.SelectMany(l => l.ReadCommitted()).ToList();
        Assert.Equal(["committed", "committed too"], Txn.Strings(committed));
        Assert.Equal(["k1", "k2"], committed.Select(r => Encoding.UTF8.GetString(r.Key!)));
        Assert.Equal(["1", "2"], committed.Select(r => Encoding.UTF8.GetString(Assert.Single(r.Headers, h => h.Key == "h").Value!)));
        Assert.Equal(["committed", "aborted"], Txn.Strings(logs[0].ReadUncommitted()));
        Assert.Equal([ControlRecordType.Commit, ControlRecordType.Abort], logs[0].Batches.Where(b => b.IsControl).Select(b => b.ControlType!.Value));
        Assert.Empty(LogSequenceChecker.FindViolations(logs));

        var consumed = KafkaReader.ReadAll(kafka.BootstrapServers, topic, Txn.Timeout, IsolationLevel.ReadUncommitted);
        Assert.Equal(["committed", "aborted", "committed too"], Txn.Strings(consumed));
        Assert.Equal("3", Encoding.UTF8.GetString(consumed[1].Headers.Single().Value!));
    }

    private static Message<byte[]?, byte[]?> Message(string key, string value, string header, string headerValue)
    {
        var message = TestClients.Message(key, value);
        message.Headers = [new Header(header, Encoding.UTF8.GetBytes(headerValue))];
        return message;
    }
}
