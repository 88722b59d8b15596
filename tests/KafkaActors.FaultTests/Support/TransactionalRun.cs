using KafkaActors.Testing.RawLog;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.FaultTests.Support;

/// <summary>
/// Runs keyed records ("key|seq") in transactions through a transactional producer, remembering what each committed
/// transaction held, and checks the raw log against it: read_committed (computed from the log's markers, as the mock
/// reports LSO = high watermark) holds every committed record exactly once, per key in order, and nothing else; the
/// log has no sequence gaps. Used from one test thread; not thread-safe.
/// </summary>
public sealed class TransactionalRun(FaultCluster cluster, KafkaProducer<string, string> producer, ITestOutputHelper output, int keys = 12)
{
    private readonly int[] _nextSequence = new int[keys];
    private readonly List<(string Key, int Seq)> _committed = [];

    public static KafkaProducer<string, string> NewProducer(FaultCluster cluster, string transactionalId, params (string, string)[] settings) =>
        NewProducer(cluster, transactionalId, null, settings);

    /// <summary>A producer whose actors log into <paramref name="log"/> (none: its own quiet system).</summary>
    public static KafkaProducer<string, string> NewProducer(FaultCluster cluster, string transactionalId, CapturedLog? log, params (string, string)[] settings) =>
        new(cluster.Settings([("transactional.id", transactionalId), ("max.block.ms", "30000"), .. settings]), system: log?.System);

    /// <summary>Sends <paramref name="count"/> records, returning the keyed sequence numbers and their tasks.</summary>
    public List<((string Key, int Seq) Id, Task<RecordMetadata> Delivery)> Send(int count)
    {
        var sent = new List<((string, int), Task<RecordMetadata>)>();
        for (var i = 0; i < count; i++)
        {
            var k = (_nextSequence.Sum()) % _nextSequence.Length;
            var key = $"key-{k:D2}";
            var seq = _nextSequence[k]++;
            Task<RecordMetadata> delivery;
            try
            {
                delivery = producer.SendAsync(new ProducerRecord<string, string>(cluster.Topic, key, $"{key}|{seq}"));
            }
            catch (Errors.KafkaException e) // refused at once (e.g. in FatalError): a failed send all the same
            {
                delivery = Task.FromException<RecordMetadata>(e);
            }
            sent.Add(((key, seq), delivery));
        }
        return sent;
    }

    /// <summary>Begin, send half, run <paramref name="fault"/>, send the rest, commit; the records count as committed once the commit returns.</summary>
    public async Task CommitOne(int count, Func<Task>? fault = null, TimeSpan? timeout = null)
    {
        producer.BeginTransaction();
        var sent = Send(count / 2);
        if (fault is not null) await fault();
        sent.AddRange(Send(count - count / 2));
        producer.CommitTransaction(timeout ?? TimeSpan.FromSeconds(60));
        Assert.All(sent, s => Assert.True(s.Delivery.IsCompletedSuccessfully, s.Delivery.Exception?.ToString()));
        _committed.AddRange(sent.Select(s => s.Id));
    }

    /// <summary>Batches the mock stored twice: same (pid, epoch, base sequence) and payload. Set by the oracle.</summary>
    public int MockDuplicates { get; private set; }

    /// <summary>
    /// The oracle over the raw log; returns the logs for further checks. A batch stored again with the same producer
    /// id, epoch, base sequence and payload is a resend a real broker would have deduplicated (the mock's window
    /// writes the second of two re-sent batches again: MockTransactionBehaviourTests.Mock_stores_the_second_of_two_resent_batches_again): it is dropped and counted in
    /// <see cref="MockDuplicates"/>, allowed only with <paramref name="connectionsDropped"/>; the same sequence with
    /// another payload is a client fault and fails.
    /// </summary>
    public IReadOnlyDictionary<int, PartitionLog> AssertCommittedExactlyOnceInOrder(bool connectionsDropped = false)
    {
        var raw = RawLogReader.ReadLogs(cluster.Bootstrap, cluster.Topic, TimeSpan.FromSeconds(30));
        var logs = raw.ToDictionary(kv => kv.Key, kv => Deduplicate(kv.Value));
        foreach (var log in logs.Values) output.WriteLine(log.ToString());
        var violations = LogSequenceChecker.FindViolations(logs);
        foreach (var log in logs.Values.Where(l => LogSequenceChecker.FindViolations(l).Count > 0))
            foreach (var batch in log.Batches) output.WriteLine(batch.ToString());
        Assert.True(violations.Count == 0, string.Join("\n", violations));
        Assert.True(connectionsDropped || MockDuplicates == 0, $"{MockDuplicates} batches stored twice without a dropped connection");

        var seen = logs.Values.SelectMany(l => l.ReadCommitted()).Select(r => System.Text.Encoding.UTF8.GetString(r.Value!)).ToList();
        Assert.Equal(seen.Count, seen.Distinct().Count()); // nothing duplicated
        var byKey = seen.Select(v => v.Split('|')).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Select(p => int.Parse(p[1])).ToList());
        var expected = _committed.GroupBy(c => c.Key).ToDictionary(g => g.Key, g => g.Select(c => c.Seq).ToList());
        Assert.Equal(expected.Keys.Order(), byKey.Keys.Order());
        foreach (var (key, seqs) in expected) Assert.Equal(seqs, byKey[key]); // nothing lost or reordered, per key
        output.WriteLine($"committed {seen.Count} records, as expected");
        return logs;
    }

    private PartitionLog Deduplicate(PartitionLog log)
    {
        var seen = new Dictionary<(long, short, int), string>();
        var kept = new List<StoredBatch>();
        foreach (var batch in log.Batches)
        {
            if (batch.IsControl || batch.ProducerId < 0)
            {
                kept.Add(batch);
                continue;
            }
            var payload = string.Join(",", batch.Batch.Records.Select(r => Convert.ToHexString(r.Value ?? [])));
            if (seen.TryGetValue((batch.ProducerId, batch.ProducerEpoch, batch.BaseSequence), out var earlier))
            {
                Assert.True(earlier == payload, $"{batch}: the same sequence with another payload");
                output.WriteLine($"stored twice (mock): {batch}");
                MockDuplicates++;
                continue;
            }
            seen[(batch.ProducerId, batch.ProducerEpoch, batch.BaseSequence)] = payload;
            kept.Add(batch);
        }
        return new PartitionLog(log.Topic, log.Partition, log.LogStartOffset, log.HighWatermark, log.FetchedLastStableOffset, kept);
    }
}
