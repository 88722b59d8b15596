using System.Text;
using Confluent.Kafka;
using KafkaActors.Testing;
using KafkaActors.Testing.RawLog;

namespace KafkaActors.Tests.Support;

/// <summary>
/// A transactional topic read back two ways: the raw log (batches with their transaction markers, and the
/// read_committed view computed from them, since the mock's Fetch does not filter aborted records) and Confluent's
/// consumer in read_uncommitted (CRC checks off: the mock writes its markers with CRC 0). Immutable.
/// </summary>
public sealed class TransactionLog
{
    private TransactionLog(IReadOnlyDictionary<int, PartitionLog> partitions, IReadOnlyList<ConsumedRecord> confluent)
    {
        Partitions = partitions;
        Committed = partitions.Values.SelectMany(p => p.ReadCommitted()).Select(Value).ToList();
        Uncommitted = partitions.Values.SelectMany(p => p.ReadUncommitted()).Select(Value).ToList();
        ConfluentUncommitted = confluent.Select(Value).ToList();
    }

    public static TransactionLog Read(string bootstrap, string topic) =>
        new(RawLogReader.ReadLogs(bootstrap, topic, KafkaFixtureBase.ReadTimeout),
            KafkaReader.ReadAll(bootstrap, topic, KafkaFixtureBase.ReadTimeout, IsolationLevel.ReadUncommitted));

    public IReadOnlyDictionary<int, PartitionLog> Partitions { get; }

    /// <summary>Values read_committed returns, by partition then offset.</summary>
    public IReadOnlyList<string> Committed { get; }

    /// <summary>Every data record's value in the raw log, by partition then offset.</summary>
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

    private static string Value(ConsumedRecord record) => record.Value is null ? "" : Encoding.UTF8.GetString(record.Value);
}
