namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// One benchmark workload, applied identically to both clients: record count and size, keys,
/// compression, idempotence, linger and batch size, an optional fixed rate (0 = as fast as possible),
/// the <see cref="Compare.Transport"/> both clients use, and the age at which a transaction is committed
/// (0 = no transactions; see <see cref="TransactionTimer"/>).
/// </summary>
public sealed record Workload(
    string Name,
    string Description,
    int Records,
    int ValueSize,
    int DistinctKeys,
    string Compression,
    bool Idempotence,
    int LingerMs,
    int BatchSize,
    int RatePerSecond,
    Transport Transport = Transport.Direct,
    int TransactionMs = 0)
{
    public const int BufferMemory = 32 * 1024 * 1024;

    public static IReadOnlyList<Workload> All(double scale)
    {
        var w1 = new Workload("W1", "100 B values, null keys, acks=all, linger 5 ms, 1 MiB batches", Scaled(1_000_000, scale), 100, 0, "none", false, 5, 1 << 20, 0);
        return
        [
            w1,
            w1 with { Name = "W1-TLS", Description = "W1 over TLS (security.protocol=SSL) through the secure front", Transport = Transport.Tls },
            w1 with { Name = "W1-RELAY", Description = "W1 through the same front with PLAINTEXT listeners (the relay's cost without TLS)", Transport = Transport.Relay },
            new("W2", "100 B values, 1,000 keys, lz4", Scaled(1_000_000, scale), 100, 1000, "lz4", false, 5, 1 << 20, 0),
            new("W3", "W1 with idempotence", Scaled(1_000_000, scale), 100, 0, "none", true, 5, 1 << 20, 0),
            new("W4", "1 KiB values, null keys", Scaled(300_000, scale), 1024, 0, "none", false, 5, 1 << 20, 0),
            new("W5", "latency at 10,000 msg/s (5 s), 100 B, default batch.size", Scaled(50_000, scale), 100, 0, "none", false, 5, 16384, 10_000),
            // Transactions need idempotence: both clients turn it on for a transactional.id.
            w1 with { Name = "W6", Description = "W1 in transactions committed every 100 ms (transactional.id, so idempotence on)", Idempotence = true, TransactionMs = 100 },
            // Latency under load short of saturation: the rate both clients can sustain, so neither fills its buffer memory.
            w1 with { Name = "W7", Description = "W1 at a fixed 500,000 msg/s (2 s)", RatePerSecond = 500_000 },
        ];
    }

    /// <summary>
    /// Enough records to fill buffer.memory twice, so both clients reach their steady state (the buffer
    /// pool fully allocated, JIT done) before anything is measured.
    /// </summary>
    public static int WarmUpRecords(Workload workload) => Math.Max(200_000, 2 * BufferMemory / workload.ValueSize);

    private static int Scaled(int records, double scale) => Math.Max(1000, (int)(records * scale));
}
