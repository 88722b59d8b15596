using System.Text;
using Confluent.Kafka;
using KafkaActors.Testing;
using KafkaActors.Testing.RawLog;
using Xunit;

namespace KafkaActors.Tests.Support;

/// <summary>
/// A transactional topic read back two independent ways: the raw log (batches with their transaction markers, and the
/// read_committed view computed from them, since the mock answers Fetch with LSO = high watermark and no aborted
/// transactions, so Confluent's read_committed sees everything there) and Confluent's consumer (CRC checks off: the
/// mock writes its markers with CRC 0). Reading asserts that the two agree and that sequences have no gaps. Immutable.
/// </summary>
public sealed class TransactionLog
{
    private TransactionLog(IReadOnlyDictionary<int, PartitionLog> partitions, IReadOnlyList<ConsumedRecord> confluent)
    {
        Partitions = partitions;
        CommittedRecords = partitions.OrderBy(p => p.Key).SelectMany(p => p.Value.ReadCommitted()).ToList();
        UncommittedRecords = partitions.OrderBy(p => p.Key).SelectMany(p => p.Value.ReadUncommitted()).ToList();
        Committed = CommittedRecords.Select(Value).ToList();
        Uncommitted = UncommittedRecords.Select(Value).ToList();
        ConfluentUncommitted = confluent.Select(Value).ToList();
    }

    /// <summary>Both views; asserts Confluent's read_uncommitted equals the raw log's, both read_committed reads agree on what is committed, and sequences have no gaps.</summary>
    public static TransactionLog Read(string bootstrap, string topic)
    {
        var confluentUncommitted = KafkaReader.ReadAll(bootstrap, topic, KafkaFixtureBase.ReadTimeout, IsolationLevel.ReadUncommitted);
        var log = new TransactionLog(RawLogReader.ReadLogs(bootstrap, topic, KafkaFixtureBase.ReadTimeout), confluentUncommitted);
        Assert.Equal(Positions(log.UncommittedRecords), Positions(confluentUncommitted));
        // On the mock read_committed returns everything; on a real broker exactly the committed records. Either way a superset.
        var confluentCommitted = KafkaReader.ReadAll(bootstrap, topic, KafkaFixtureBase.ReadTimeout, IsolationLevel.ReadCommitted);
        Assert.Empty(Positions(log.CommittedRecords).Except(Positions(confluentCommitted)));
        var violations = LogSequenceChecker.FindViolations(log.Partitions);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
        return log;
    }

    public IReadOnlyDictionary<int, PartitionLog> Partitions { get; }

    /// <summary>What read_committed returns, by partition then offset.</summary>
    public IReadOnlyList<ConsumedRecord> CommittedRecords { get; }

    /// <summary>Every data record in the raw log, by partition then offset.</summary>
    public IReadOnlyList<ConsumedRecord> UncommittedRecords { get; }

    /// <summary>The values of <see cref="CommittedRecords"/>.</summary>
    public IReadOnlyList<string> Committed { get; }

    /// <summary>The values of <see cref="UncommittedRecords"/>.</summary>
    public IReadOnlyList<string> Uncommitted { get; }

    /// <summary>Every value Confluent's consumer returns in read_uncommitted.</summary>
    public IReadOnlyList<string> ConfluentUncommitted { get; }

    /// <summary>
    /// One partition's transactions in log order: each marker with the number of data records since the previous one
    /// (a single producer writes the topic); records after the last marker come as (null, count).
    /// </summary>
    public IReadOnlyList<(ControlRecordType? Outcome, int Records)> Transactions(int partition)
    {
        var result = new List<(ControlRecordType?, int)>();
        var records = 0;
        foreach (var batch in Partitions[partition].Batches)
        {
            if (!batch.IsControl)
            {
                records += batch.RecordCount;
                continue;
            }
            result.Add((batch.ControlType, records));
            records = 0;
        }
        if (records > 0) result.Add((null, records));
        return result;
    }

    /// <summary>Asserts <paramref name="found"/> holds exactly <paramref name="sent"/> (key, value, headers), partition by partition in the order sent.</summary>
    public static void SameInPartitionOrder(IReadOnlyList<(int Partition, ProducerRecord<string?, string?> Record)> sent, IReadOnlyList<ConsumedRecord> found)
    {
        Assert.Equal(sent.Count, found.Count);
        foreach (var partition in sent.GroupBy(s => s.Partition))
        {
            var expected = partition.Select(s => s.Record).ToList();
            var actual = found.Where(f => f.Partition == partition.Key).OrderBy(f => f.Offset).ToList();
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++) RecordAssert.Same(expected[i], actual[i]);
        }
    }

    private static List<(int, long)> Positions(IEnumerable<ConsumedRecord> records) => records.Select(r => (r.Partition, r.Offset)).ToList();

    private static string Value(ConsumedRecord record) => record.Value is null ? "" : Encoding.UTF8.GetString(record.Value);
}
