namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// Brings a client to its steady state before measuring: JIT, metadata and connections, and its buffer
/// memory filled once (the first half runs against brokers slowed to 100 ms, so unacknowledged data
/// piles up to buffer.memory and every buffer is allocated), then a normal-speed half.
/// </summary>
public static class WarmUp
{
    public static async Task Run(Action<int> setBrokerRtt, int records, Func<int, Task<RunResult>> send)
    {
        setBrokerRtt(100);
        try
        {
            await send(records / 2);
        }
        finally
        {
            setBrokerRtt(0);
        }
        await send(records - records / 2);
    }
}
