using System.Collections.Concurrent;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// Faults the front injects itself (the mock has no such knob): a throttle time per broker, written into that broker's
/// responses (KIP-219: the broker answers at once and asks the client to hold back), and one-shot throttle times for the
/// next few responses of one API. Owned by one <see cref="SecureEmbeddedKafka"/>; thread-safe (set by tests, read by
/// every connection's write loop).
/// </summary>
internal sealed class FrontFaults
{
    private readonly ConcurrentDictionary<int, int> _throttleMs = new();
    private readonly ConcurrentDictionary<(int BrokerId, short ApiKey), ThrottleBudget> _budgets = new();

    /// <summary>Responses of <paramref name="brokerId"/> carry <paramref name="throttleMs"/> (0 removes it).</summary>
    public void SetThrottleTime(int brokerId, int throttleMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(throttleMs);
        if (throttleMs == 0) _throttleMs.TryRemove(brokerId, out _);
        else _throttleMs[brokerId] = throttleMs;
    }

    /// <summary>The next <paramref name="count"/> responses of <paramref name="brokerId"/> to <paramref name="apiKey"/> carry <paramref name="throttleMs"/>; replaces an earlier budget.</summary>
    public void ThrottleNextResponses(int brokerId, short apiKey, int throttleMs, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(throttleMs);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) _budgets.TryRemove((brokerId, apiKey), out _);
        else _budgets[(brokerId, apiKey)] = new ThrottleBudget(throttleMs, count);
    }

    /// <summary>The standing throttle time of <paramref name="brokerId"/>'s responses; 0 for none.</summary>
    private int ThrottleTimeMs(int brokerId) => _throttleMs.IsEmpty ? 0 : _throttleMs.GetValueOrDefault(brokerId);

    /// <summary>
    /// Writes the throttle time due (a one-shot budget first, else the broker's standing one) into <paramref name="response"/>
    /// in place; returns what it wrote, 0 for nothing (none due, or a response without the field: the budget is kept then).
    /// </summary>
    public int Throttle(Span<byte> response, int brokerId, short apiKey, short apiVersion)
    {
        if (!_budgets.IsEmpty && _budgets.TryGetValue((brokerId, apiKey), out var budget) && budget.TryTake())
        {
            if (ThrottleTimeField.TrySet(response, apiKey, apiVersion, budget.ThrottleMs)) return budget.ThrottleMs;
            budget.GiveBack();
        }
        var throttleMs = ThrottleTimeMs(brokerId);
        return throttleMs > 0 && ThrottleTimeField.TrySet(response, apiKey, apiVersion, throttleMs) ? throttleMs : 0;
    }

    /// <summary>How many more responses get a throttle time; taken by write loops concurrently.</summary>
    private sealed class ThrottleBudget(int throttleMs, int count)
    {
        private int _remaining = count;

        public int ThrottleMs { get; } = throttleMs;

        public bool TryTake()
        {
            while (true)
            {
                var remaining = Volatile.Read(ref _remaining);
                if (remaining <= 0) return false;
                if (Interlocked.CompareExchange(ref _remaining, remaining - 1, remaining) == remaining) return true;
            }
        }

        public void GiveBack() => Interlocked.Increment(ref _remaining);
    }
}
