using KafkaActors.Testing.RawLog;

namespace KafkaActors.FaultTests.Support;

/// <summary>
/// What a broker that enforces idempotence must show in the stored log, with no deduplication by the reader: every
/// acknowledged record exactly once (at the acknowledged offset when one was given), no batch stored twice, sequences
/// contiguous within each producer id and epoch, and per-key order. Works from any client's outcomes ("key|seq" values),
/// so our producer and Confluent's are judged alike. Stateless.
/// </summary>
public static class RawLogAudit
{
    /// <summary>One record's outcome as its client reported it: acknowledged (with partition and offset, -1 if unknown) or failed.</summary>
    public readonly record struct Outcome(bool Acknowledged, int Partition, long Offset);

    public sealed record Report(
        int Sent, int Acknowledged, int Batches, int InLog, int SequenceGaps, int DuplicateBatches, int DuplicateRecords,
        int Reordered, int AcknowledgedMissing, int AcknowledgedElsewhere, int NeverSent, IReadOnlyList<string> Problems)
    {
        public override string ToString() =>
            $"sent {Sent}, acked {Acknowledged}, batches {Batches}, records in log {InLog}, sequence gaps {SequenceGaps}, duplicate batches {DuplicateBatches}, " +
            $"duplicate records {DuplicateRecords}, per-key reorderings {Reordered}, acked but missing {AcknowledgedMissing}, " +
            $"acked elsewhere {AcknowledgedElsewhere}, never sent {NeverSent}" +
            (Problems.Count > 0 ? $"; first problems: {string.Join(" | ", Problems.Take(5))}" : "");
    }

    public static Report Check(FaultCluster cluster, IReadOnlyDictionary<(string Key, int Seq), Outcome> outcomes)
    {
        var problems = new List<string>();
        var log = RawLogReader.ReadBatches(cluster.Bootstrap, cluster.Topic, TimeSpan.FromSeconds(30));
        var found = new Dictionary<(string Key, int Seq), List<(int Partition, long Offset)>>();
        int batches = 0, gaps = 0, duplicateBatches = 0;
        foreach (var (partition, stored) in log)
        {
            var seen = new HashSet<(long, short, int)>();
            var next = new Dictionary<(long, short), int>();
            foreach (var batch in stored)
            {
                batches++;
                if (batch.ProducerId >= 0)
                {
                    if (!seen.Add((batch.ProducerId, batch.ProducerEpoch, batch.BaseSequence)))
                    {
                        duplicateBatches++;
                        problems.Add($"p{partition}@{batch.BaseOffset}: pid {batch.ProducerId} epoch {batch.ProducerEpoch} seq {batch.BaseSequence} stored again");
                    }
                    var epoch = (batch.ProducerId, batch.ProducerEpoch);
                    if (next.TryGetValue(epoch, out var expected) && expected != batch.BaseSequence)
                    {
                        gaps++;
                        problems.Add($"p{partition}@{batch.BaseOffset}: pid {batch.ProducerId} epoch {batch.ProducerEpoch} seq {batch.BaseSequence}, expected {expected}");
                    }
                    next[epoch] = batch.BaseSequence + batch.Records.Count;
                }
                foreach (var record in batch.Records)
                {
                    var id = KeyedStream.Parse(record.Value!);
                    if (!found.TryGetValue(id, out var list)) found[id] = list = [];
                    list.Add((partition, record.Offset));
                }
            }
        }

        var reordered = 0;
        foreach (var key in found.GroupBy(f => f.Key.Key))
        {
            var sequences = key.SelectMany(f => f.Value.Select(at => (at.Partition, at.Offset, f.Key.Seq))).OrderBy(x => x.Partition).ThenBy(x => x.Offset).Select(x => x.Seq).ToList();
            for (var i = 1; i < sequences.Count; i++)
                if (sequences[i] < sequences[i - 1]) reordered++;
        }

        int acknowledged = 0, missing = 0, elsewhere = 0;
        foreach (var (id, outcome) in outcomes)
        {
            if (!outcome.Acknowledged) continue;
            acknowledged++;
            if (!found.TryGetValue(id, out var at))
            {
                missing++;
                problems.Add($"{id.Key}|{id.Seq} acked at p{outcome.Partition}@{outcome.Offset} but not in the log");
            }
            else if (!at.Any(a => a.Partition == outcome.Partition && (outcome.Offset < 0 || a.Offset == outcome.Offset)))
            {
                elsewhere++;
                problems.Add($"{id.Key}|{id.Seq} acked at p{outcome.Partition}@{outcome.Offset} but stored at p{at[0].Partition}@{at[0].Offset}");
            }
        }
        var neverSent = found.Keys.Count(id => !outcomes.ContainsKey(id));
        var duplicateRecords = found.Values.Count(v => v.Count > 1);
        return new Report(outcomes.Count, acknowledged, batches, found.Values.Sum(v => v.Count), gaps, duplicateBatches, duplicateRecords,
            reordered, missing, elsewhere, neverSent, problems);
    }
}
