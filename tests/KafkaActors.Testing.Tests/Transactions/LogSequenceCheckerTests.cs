using KafkaActors.Protocol.Records;
using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Transactions;
using Xunit;
using ErrorCode = KafkaActors.Protocol.Errors.ErrorCode;
using L = KafkaActors.Protocol.Records.RecordBatchLayout;
using Record = KafkaActors.Protocol.Records.Record;

namespace KafkaActors.Testing.Tests.Transactions;

public sealed class LogSequenceCheckerTests
{
    private const long Pid = 5000;

    /// <summary>A stored batch of <paramref name="count"/> records, laid out after <paramref name="offset"/>.</summary>
    private static StoredBatch Batch(long offset, int sequence, int count = 1, short epoch = 0, long pid = Pid, short attributes = 0)
    {
        var records = Enumerable.Range(0, count).Select(i => new Record(offset + i, 0, null, [1], [])).ToArray();
        if ((attributes & L.ControlFlag) != 0)
            records = [new Record(offset, 0, [0, 0, 0, 1], new byte[6], [])];
        return new StoredBatch(0, new RecordBatch(offset, 0, 0, attributes, records.Length - 1, 0, 0, pid, epoch, sequence, records));
    }

    private static PartitionLog Log(params StoredBatch[] batches) => Log(0, batches);

    private static PartitionLog Log(long logStart, params StoredBatch[] batches) =>
        new("t", 0, logStart, batches.Length == 0 ? logStart : batches[^1].LastOffset + 1, -1, batches);

    [Fact]
    public void Contiguous_sequences_per_producer_and_epoch_pass()
    {
        var log = Log(
            Batch(0, 0, count: 3),
            Batch(3, 0, pid: 7000),
            Batch(4, 3, count: 2),
            Batch(6, 0, attributes: L.TransactionalFlag | L.ControlFlag), // a marker: ignored
            Batch(7, 0, epoch: 1), // a new epoch starts at 0
            Batch(8, 1, pid: 7000),
            Batch(9, -1, pid: -1)); // no producer id: ignored
        Assert.Empty(LogSequenceChecker.FindViolations(log));
    }

    [Fact]
    public void A_gap_is_reported_with_its_size()
    {
        var violation = Assert.Single(LogSequenceChecker.FindViolations(Log(Batch(0, 0, count: 2), Batch(2, 5))));
        Assert.Contains("offset 2", violation);
        Assert.Contains("expected base sequence 2", violation);
        Assert.Contains("gap of 3", violation);
    }

    [Fact]
    public void A_duplicate_is_reported()
    {
        var violation = Assert.Single(LogSequenceChecker.FindViolations(Log(Batch(0, 0, count: 2), Batch(2, 2), Batch(3, 2))));
        Assert.Contains("offset 3", violation);
        Assert.Contains("duplicate", violation);
    }

    [Fact]
    public void An_epoch_going_back_is_reported()
    {
        var violation = Assert.Single(LogSequenceChecker.FindViolations(Log(Batch(0, 0, epoch: 1), Batch(1, 0, epoch: 0))));
        Assert.Contains("epoch went back from 1", violation);
    }

    [Fact]
    public void A_first_batch_must_start_at_zero_unless_the_log_was_trimmed()
    {
        Assert.Contains("not 0", Assert.Single(LogSequenceChecker.FindViolations(Log(Batch(0, 4)))));
        Assert.Empty(LogSequenceChecker.FindViolations(Log(logStart: 10, Batch(10, 4), Batch(11, 5))));
    }

    [Fact]
    public void Sequences_wrap_after_int_max_value()
    {
        Assert.Empty(LogSequenceChecker.FindViolations(Log(logStart: 1, Batch(1, int.MaxValue - 1, count: 2), Batch(3, 0))));
    }

    [Fact]
    public void Raw_transactions_on_the_mock_leave_a_clean_log()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 3);
        var topic = TestClients.Topic("seqcheck");
        kafka.CreateTopic(topic, partitions: 2);
        using var producer = RawTransactionalProducer.Create(kafka.BootstrapServers, "seqcheck-txn");
        Assert.Equal(ErrorCode.None, producer.InitProducerId());
        foreach (var commit in new[] { true, false, true })
        {
            producer.AddPartitions(topic, 0, 1);
            Assert.Equal(ErrorCode.None, producer.Produce(topic, 0, Txn.Values("a", "b")).Error);
            Assert.Equal(ErrorCode.None, producer.Produce(topic, 1, Txn.Values("c")).Error);
            Assert.Equal(ErrorCode.None, producer.EndTxn(commit));
        }
        var logs = RawLogReader.ReadLogs(kafka.BootstrapServers, topic, Txn.Timeout);
        Assert.Empty(LogSequenceChecker.FindViolations(logs));
        Assert.Equal(6, logs[0].Batches.Count);
    }
}
