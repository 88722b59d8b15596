namespace KafkaActors.Network;

/// <summary>
/// How long one connection attempt (TCP connect, and the TLS handshake under SSL/SASL_SSL) may take, as Java's
/// <c>ClusterConnectionStates</c> sets it: socket.connection.setup.timeout.ms doubled per consecutive failed attempt,
/// with ±20% jitter, capped at socket.connection.setup.timeout.max.ms (after the jitter, as Java's
/// <c>ExponentialBackoff</c> caps). A successful connection resets the count. Stateless and thread-safe.
/// </summary>
internal static class ConnectionSetupTimeout
{
    /// <summary>The timeout of the attempt after <paramref name="failedAttempts"/> consecutive failed ones.</summary>
    public static TimeSpan For(long initialMs, long maxMs, int failedAttempts, double random)
    {
        var cap = Math.Max(initialMs, maxMs);
        // Past the doubling that reaches the cap the exponent stops growing (Java's expMax), so the double never overflows.
        var expMax = cap > initialMs && initialMs > 0 ? Math.Ceiling(Math.Log2((double)cap / initialMs)) : 0;
        var term = initialMs * Math.Pow(2, Math.Min(Math.Max(0, failedAttempts), expMax));
        var jittered = (long)(term * (0.8 + 0.4 * random));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, cap));
    }

    /// <inheritdoc cref="For(long, long, int, double)"/>
    public static TimeSpan For(long initialMs, long maxMs, int failedAttempts) => For(initialMs, maxMs, failedAttempts, Random.Shared.NextDouble());
}
