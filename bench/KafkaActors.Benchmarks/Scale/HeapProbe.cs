namespace KafkaActors.Benchmarks.Scale;

/// <summary>
/// The managed heap after full collections (GC.GetTotalMemory(true), run until it settles), minus what buffer pools keep
/// on their free lists: pooled batch buffers are the producers' memory (bounded by buffer.memory), not any partition's.
/// </summary>
public static class HeapProbe
{
    public static long Live(IEnumerable<KafkaProducer<byte[]?, byte[]>> producers)
    {
        long previous = long.MaxValue, live = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < 5 && Math.Abs(previous - live) > 64 * 1024; i++)
        {
            GC.WaitForPendingFinalizers();
            previous = live;
            live = GC.GetTotalMemory(forceFullCollection: true);
        }
        return live - producers.Sum(p => p.Runtime.Accumulator.Pool.FreeListBytes);
    }
}
