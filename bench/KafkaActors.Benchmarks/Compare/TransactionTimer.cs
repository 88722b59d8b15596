namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// When a transactional workload commits, the same for both clients: Kafka's ProducerPerformance rule, a transaction
/// is committed after the send that finds it at least <c>intervalMs</c> old (and the last one after the last send).
/// Owned by one sending loop; not thread-safe.
/// </summary>
public sealed class TransactionTimer(int intervalMs)
{
    private long _begunMs;

    /// <summary>False for a workload without transactions (interval 0).</summary>
    public bool Enabled => intervalMs > 0;

    public bool IsOpen { get; private set; }

    /// <summary>Transactions ended by <see cref="CommitDue"/> or <see cref="CommitLast"/>.</summary>
    public int Commits { get; private set; }

    public void Begun()
    {
        _begunMs = Environment.TickCount64;
        IsOpen = true;
    }

    /// <summary>True, and the transaction counted as ended, when the open transaction is due for its commit.</summary>
    public bool CommitDue()
    {
        if (!IsOpen || Environment.TickCount64 - _begunMs < intervalMs) return false;
        IsOpen = false;
        Commits++;
        return true;
    }

    /// <summary>True, and the transaction counted as ended, when one is open after the last send.</summary>
    public bool CommitLast()
    {
        if (!IsOpen) return false;
        IsOpen = false;
        Commits++;
        return true;
    }

    /// <summary>Says on stderr how many transactions a run (warm-up or measured) committed: progress output, not part of the table.</summary>
    public void Report(string client, int records)
    {
        if (Enabled) Console.Error.WriteLine($"  {client}: {records:N0} records in {Commits} transactions");
    }
}
