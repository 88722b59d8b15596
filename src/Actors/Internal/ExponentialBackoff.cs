namespace KafkaActors.Internal;

/// <summary>
/// Exponential backoff with ±20% jitter (Java's <c>ExponentialBackoff</c>): for reconnects
/// (reconnect.backoff.ms/.max.ms), retries (retry.backoff.ms/.max.ms) and metadata refreshes. Thread-safe (stateless).
/// </summary>
internal static class ExponentialBackoff
{
    /// <summary>The wait before attempt <paramref name="attempts"/> + 1: <paramref name="initialMs"/> doubled per attempt, capped at <paramref name="maxMs"/>.</summary>
    public static TimeSpan For(long initialMs, long maxMs, int attempts)
    {
        var exp = initialMs * Math.Pow(2, Math.Max(0, attempts - 1));
        var term = Math.Min(exp, Math.Max(initialMs, maxMs));
        var jitter = 1 + (Random.Shared.NextDouble() * 0.4 - 0.2);
        return TimeSpan.FromMilliseconds(Math.Max(0, term * jitter));
    }
}
