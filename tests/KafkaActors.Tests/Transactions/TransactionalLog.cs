using IsolationLevel = Confluent.Kafka.IsolationLevel;
using KafkaActors.Testing;
using KafkaActors.Testing.RawLog;
using Xunit;

namespace KafkaActors.Tests.Transactions;

/// <summary>
/// Reads a transactional topic back two independent ways: Confluent's consumer in read_uncommitted and read_committed
/// (CRCs unchecked: the mock writes its markers with CRC 0), and the raw log, whose markers give the read_committed view
/// (the mock answers Fetch with LSO = high watermark and no aborted transactions, so Confluent's read_committed sees
/// everything there). Stateless.
/// </summary>
internal static class TransactionalLog
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public sealed record View(IReadOnlyDictionary<int, PartitionLog> Logs, IReadOnlyList<ConsumedRecord> Committed, IReadOnlyList<ConsumedRecord> Uncommitted);

    /// <summary>Both views; asserts Confluent's read_uncommitted equals the raw log's, both read_committed reads agree on what is committed, and sequences have no gaps.</summary>
    public static View Read(string bootstrap, string topic)
    {
        var logs = RawLogReader.ReadLogs(bootstrap, topic, Timeout);
        var committed = logs.OrderBy(l => l.Key).SelectMany(l => l.Value.ReadCommitted()).ToList();
        var uncommitted = logs.OrderBy(l => l.Key).SelectMany(l => l.Value.ReadUncommitted()).ToList();

        var confluentUncommitted = KafkaReader.ReadAll(bootstrap, topic, Timeout, IsolationLevel.ReadUncommitted);
        Assert.Equal(Positions(uncommitted), Positions(confluentUncommitted));
        // On the mock read_committed returns everything; on a real broker exactly the committed records. Either way a superset.
        var confluentCommitted = KafkaReader.ReadAll(bootstrap, topic, Timeout, IsolationLevel.ReadCommitted);
        Assert.Empty(Positions(committed).Except(Positions(confluentCommitted)));

        var violations = LogSequenceChecker.FindViolations(logs);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
        return new View(logs, committed, uncommitted);
    }

    private static List<(int, long)> Positions(IEnumerable<ConsumedRecord> records) => records.Select(r => (r.Partition, r.Offset)).ToList();

    /// <summary>Asserts <paramref name="found"/> holds exactly <paramref name="sent"/> (key, value, headers), partition by partition in the order sent.</summary>
    public static void SameInPartitionOrder(IReadOnlyList<(int Partition, ProducerRecord<string?, string?> Record)> sent, IReadOnlyList<ConsumedRecord> found)
    {
        Assert.Equal(sent.Count, found.Count);
        foreach (var partition in sent.GroupBy(s => s.Partition))
        {
            var expected = partition.Select(s => s.Record).ToList();
            var actual = found.Where(f => f.Partition == partition.Key).OrderBy(f => f.Offset).ToList();
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++) Support.RecordAssert.Same(expected[i], actual[i]);
        }
    }
}
