namespace KafkaActors.Testing.RawLog;

/// <summary>
/// Checks the idempotence invariants of a stored log: within each partition and each (producer id, epoch), base
/// sequences are contiguous (each batch starts where the previous one ended, wrapping after int.MaxValue), start at
/// 0, and an epoch never goes back once a higher one was written. Control batches and batches without a producer
/// id are ignored. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// A real broker rejects every violation listed, so against it they cannot appear; the librdkafka mock checks
/// sequences only for requests carrying a transactional id, so an idempotent client's duplicate or gap shows here.
/// A partition whose log start offset is above 0 may have lost the start of a sequence: there the first batch seen
/// of each (producer id, epoch) may start anywhere.
/// </remarks>
public static class LogSequenceChecker
{
    /// <summary>Readable descriptions of every violation in <paramref name="log"/>; empty when there is none.</summary>
    public static IReadOnlyList<string> FindViolations(PartitionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var violations = new List<string>();
        var next = new Dictionary<(long Pid, short Epoch), (int Sequence, long AfterOffset)>();
        var highestEpoch = new Dictionary<long, (short Epoch, long Offset)>();
        var where = $"{log.Topic}[{log.Partition}]";
        foreach (var batch in log.Batches)
        {
            if (batch.IsControl || batch.ProducerId < 0)
                continue;
            var key = (batch.ProducerId, batch.ProducerEpoch);
            var at = $"{where} offset {batch.BaseOffset} (producer {batch.ProducerId} epoch {batch.ProducerEpoch}, sequences {Range(batch)})";

            if (highestEpoch.TryGetValue(batch.ProducerId, out var highest) && batch.ProducerEpoch < highest.Epoch)
                violations.Add($"{at}: epoch went back from {highest.Epoch} (written at offset {highest.Offset})");
            else
                highestEpoch[batch.ProducerId] = (batch.ProducerEpoch, batch.BaseOffset);

            if (next.TryGetValue(key, out var expected))
            {
                if (batch.BaseSequence != expected.Sequence)
                    violations.Add($"{at}: expected base sequence {expected.Sequence} after offset {expected.AfterOffset}, " +
                                   (Before(batch.BaseSequence, expected.Sequence) ? "a duplicate or overlap" : $"a gap of {Distance(expected.Sequence, batch.BaseSequence)}"));
            }
            else if (batch.BaseSequence != 0 && log.LogStartOffset == 0)
            {
                violations.Add($"{at}: the first batch of this producer id and epoch starts at sequence {batch.BaseSequence}, not 0");
            }
            next[key] = (Increment(batch.BaseSequence, batch.RecordCount), batch.LastOffset);
        }
        return violations;
    }

    /// <summary>The violations of every partition of a topic (as from <see cref="RawLogReader.ReadLogs"/>), partition by partition.</summary>
    public static IReadOnlyList<string> FindViolations(IReadOnlyDictionary<int, PartitionLog> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        return logs.OrderBy(kv => kv.Key).SelectMany(kv => FindViolations(kv.Value)).ToList();
    }

    // Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from int.MaxValue to 0.
    private static int Increment(int sequence, int count) => (int)(((long)sequence + count) % ((long)int.MaxValue + 1));

    private static long Distance(int from, int to) => ((long)to - from + int.MaxValue + 1) % ((long)int.MaxValue + 1);

    // "Before" within half the sequence space, so a wrapped successor is not mistaken for a duplicate.
    private static bool Before(int sequence, int expected) => Distance(sequence, expected) is > 0 and < int.MaxValue / 2;

    private static string Range(StoredBatch batch) =>
        batch.RecordCount == 1 ? $"{batch.BaseSequence}" : $"{batch.BaseSequence}..{Increment(batch.BaseSequence, batch.RecordCount - 1)}";
}
