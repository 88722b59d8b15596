using KafkaActors.Protocol.Records;
using KafkaActors.Testing.RawLog;

namespace KafkaActors.FaultTests.Support;

/// <summary>
/// The fault matrix's oracle (shared/EMBEDDED-BROKER.md): read each partition's raw batches back,
/// drop batches stored twice under the same (producer id, epoch, base sequence) — librdkafka's mock does
/// not deduplicate idempotent retries, a real broker does — then compare the log with what the producer
/// reported: every acknowledged record exactly once, in per-key order; nothing stored that failed as
/// "not persisted"; no two payloads under one sequence.
/// </summary>
public static class DeliveryOracle
{
    public sealed record Report(
        int Sent,
        int Acknowledged,
        int Failed,
        int InLog,
        int Lost,
        int Duplicated,
        int Reordered,
        int BrokerDuplicateBatches,
        int AcceptedSequenceGaps,
        int WrongPartition,
        IReadOnlyList<string> Problems)
    {
        public override string ToString() =>
            $"sent {Sent}, acked {Acknowledged}, failed {Failed}, in log {InLog}, lost {Lost}, duplicated {Duplicated}, reordered {Reordered}, " +
            $"broker duplicate batches {BrokerDuplicateBatches}, accepted sequence gaps {AcceptedSequenceGaps}, wrong partition {WrongPartition}" +
            (Problems.Count > 0 ? $"; first problems: {string.Join(" | ", Problems.Take(5))}" : "");
    }

    public static Report Check(FaultCluster cluster, KeyedStream stream)
    {
        var problems = new List<string>();
        var batches = RawLogReader.ReadBatches(cluster.Bootstrap, cluster.Topic, TimeSpan.FromSeconds(30));

        var occurrences = new Dictionary<(string Key, int Seq), List<(int Partition, long Offset)>>();
        // Where each record's copies are, duplicates included: an acknowledgement may name either copy.
        var copies = new Dictionary<(string Key, int Seq), List<(int Partition, long Offset)>>();
        var brokerDuplicates = 0;
        var gaps = 0;
        foreach (var (partition, log) in batches)
        {
            var seen = new Dictionary<(long Pid, short Epoch, int Seq), RecordBatch>();
            var nextSequence = new Dictionary<(long Pid, short Epoch), int>();
            foreach (var batch in log)
            {
                if (batch.ProducerId >= 0)
                {
                    var id = (batch.ProducerId, batch.ProducerEpoch, batch.BaseSequence);
                    if (seen.TryGetValue(id, out var first))
                    {
                        foreach (var record in batch.Records) Add(copies, KeyedStream.Parse(record.Value!), partition, record.Offset);
                        if (SamePayload(first, batch)) brokerDuplicates++;
                        else problems.Add($"p{partition}: two different batches under pid {id.ProducerId} epoch {id.ProducerEpoch} seq {id.BaseSequence}");
                        continue;
                    }
                    seen[id] = batch;
                    var epoch = (batch.ProducerId, batch.ProducerEpoch);
                    if (nextSequence.TryGetValue(epoch, out var expected) && expected != batch.BaseSequence) gaps++;
                    nextSequence[epoch] = batch.BaseSequence + batch.Records.Count;
                }
                foreach (var record in batch.Records)
                {
                    var id = KeyedStream.Parse(record.Value!);
                    Add(occurrences, id, partition, record.Offset);
                    Add(copies, id, partition, record.Offset);
                }
            }
        }

        // Per-key order in the log: within a partition (keys never move partitions) sequences must rise.
        var reordered = 0;
        foreach (var keyGroup in occurrences.Where(o => o.Value.Count > 0).GroupBy(o => o.Key.Key))
        {
            var byOffset = keyGroup.OrderBy(o => o.Value[0].Partition).ThenBy(o => o.Value[0].Offset).Select(o => o.Key.Seq).ToList();
            for (var i = 1; i < byOffset.Count; i++)
                if (byOffset[i] < byOffset[i - 1]) reordered++;
        }

        int acknowledged = 0, failed = 0, lost = 0, duplicated = 0, wrongPartition = 0;
        foreach (var (id, outcome) in stream.Outcomes)
        {
            occurrences.TryGetValue(id, out var found);
            found ??= [];
            var count = found.Count;
            if (count > 1)
            {
                duplicated++;
                problems.Add($"{id.Key}|{id.Seq} is in the log {count} times");
            }
            if (outcome.Error is null)
            {
                acknowledged++;
                if (count == 0)
                {
                    lost++;
                    problems.Add($"{id.Key}|{id.Seq} was acknowledged at {outcome.Metadata} but is not in the log");
                }
                else if (!copies[id].Any(c => c.Partition == outcome.Metadata.Partition && (outcome.Metadata.Offset < 0 || c.Offset == outcome.Metadata.Offset)))
                {
                    wrongPartition++;
                    problems.Add($"{id.Key}|{id.Seq} acknowledged at {outcome.Metadata} but found at p{found[0].Partition}@{found[0].Offset}");
                }
            }
            else
            {
                failed++;
            }
        }
        foreach (var id in occurrences.Keys)
            if (!stream.Outcomes.ContainsKey(id)) problems.Add($"{id.Key}|{id.Seq} is in the log but was never sent");

        return new Report(stream.Sent, acknowledged, failed, occurrences.Values.Sum(v => v.Count), lost, duplicated, reordered,
            brokerDuplicates, gaps, wrongPartition, problems);
    }

    private static void Add(Dictionary<(string Key, int Seq), List<(int Partition, long Offset)>> map, (string Key, int Seq) id, int partition, long offset)
    {
        if (!map.TryGetValue(id, out var list)) map[id] = list = [];
        list.Add((partition, offset));
    }

    private static bool SamePayload(RecordBatch a, RecordBatch b) =>
        a.Records.Count == b.Records.Count && a.Records.Zip(b.Records).All(pair => pair.First.Value!.AsSpan().SequenceEqual(pair.Second.Value));
}
