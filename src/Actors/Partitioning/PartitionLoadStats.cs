namespace KafkaActors.Partitioning;

/// <summary>
/// The weights of adaptive partitioning (KIP-794, Java's <c>BuiltInPartitioner.PartitionLoadStats</c>): a
/// cumulative frequency table over the partitions that may be chosen, where a partition with a shorter queue
/// gets a larger share. Built from queue sizes q as weights <c>max(q) + 1 - q</c>: sizes 0 3 1 give weights
/// 4 1 3 and the table 4 5 8, so a uniform draw in [0, 8) picks partition 0 for 0–3, 1 for 4 and 2 for 5–7.
/// Built by one thread (the one switching the sticky partition, under its lock) and read only by it; not thread-safe.
/// </summary>
internal static class PartitionLoadStats
{
    /// <summary>
    /// Turns <paramref name="queueSizes"/>[0..<paramref name="length"/>) into the cumulative frequency table, in
    /// place. False when weights would change nothing: no partition left (<paramref name="length"/> &lt; 1), or
    /// all queues equal and none excluded (<paramref name="length"/> == <paramref name="partitionCount"/>); the
    /// caller then picks uniformly among the available partitions, as Java does.
    /// </summary>
    public static bool TryBuild(int[] queueSizes, int length, int partitionCount)
    {
        if (length < 1 || partitionCount < 2) return false;
        var maxPlusOne = queueSizes[0];
        var allEqual = true;
        for (var i = 1; i < length; i++)
        {
            if (queueSizes[i] != maxPlusOne) allEqual = false;
            if (queueSizes[i] > maxPlusOne) maxPlusOne = queueSizes[i];
        }
        if (allEqual && length == partitionCount) return false;
        maxPlusOne++;
        queueSizes[0] = maxPlusOne - queueSizes[0];
        for (var i = 1; i < length; i++) queueSizes[i] = maxPlusOne - queueSizes[i] + queueSizes[i - 1];
        return true;
    }

    /// <summary>The index (into the table's partitions) that a draw <paramref name="random"/> ≥ 0 falls on.</summary>
    public static int Pick(ReadOnlySpan<int> cumulativeFrequencies, int random)
    {
        var point = random % cumulativeFrequencies[^1];
        // The first entry strictly greater than the point: binary search finds an equal one or the insertion point.
        var found = cumulativeFrequencies.BinarySearch(point);
        return found >= 0 ? found + 1 : ~found;
    }
}
