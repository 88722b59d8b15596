namespace KafkaActors.Security.OAuthBearer;

/// <summary>
/// When to refresh a token and when to retry a failed refresh: Java's <c>ExpiringCredentialRefreshingLogin</c>
/// arithmetic over <see cref="SaslLoginSettings"/>. Stateless; thread-safe.
/// </summary>
internal static class RefreshSchedule
{
    /// <summary>
    /// The shortest wait before any refresh. Java has none, so a token whose expiry does not move (a token file that
    /// is never rotated) would be refreshed ever faster as its end nears; this keeps that to once a second.
    /// </summary>
    internal static readonly TimeSpan MinDelay = TimeSpan.FromSeconds(1);

    /// <summary>The shortest wait before retrying a failed refresh, should <c>sasl.login.retry.backoff.ms</c> be 0.</summary>
    internal static readonly TimeSpan MinRetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long after <paramref name="now"/>, when a token expiring at <paramref name="expiresAt"/> was just received,
    /// to refresh it: after <c>lifetime × (factor + jitter × random)</c>, but at least <c>min.period</c> from now and
    /// at least <c>buffer</c> before expiry. When the lifetime is shorter than <c>min.period + buffer</c> both bounds
    /// are ignored, as in Java, so a token of a few seconds is refreshed at the window factor of its lifetime.
    /// </summary>
    /// <param name="now">When the token was received.</param>
    /// <param name="expiresAt">The token's expiry.</param>
    /// <param name="login">The sasl.login.refresh.* settings: window factor, jitter, min.period and buffer.</param>
    /// <param name="random">Uniform in [0, 1): picks the jitter.</param>
    public static TimeSpan RefreshDelay(DateTimeOffset now, DateTimeOffset expiresAt, SaslLoginSettings login, double random)
    {
        var lifetimeMs = Math.Max(0, (expiresAt - now).TotalMilliseconds);
        var fraction = login.RefreshWindowFactor + login.RefreshWindowJitter * random;
        var minPeriodMs = login.RefreshMinPeriodSeconds * 1000.0;
        var bufferMs = login.RefreshBufferSeconds * 1000.0;
        var delayMs = lifetimeMs * fraction;
        if (minPeriodMs + bufferMs <= lifetimeMs)
        {
            // Both bounds fit, so lifetime - buffer >= min.period: at most one of them applies.
            if (delayMs > lifetimeMs - bufferMs) delayMs = lifetimeMs - bufferMs;
            else if (delayMs < minPeriodMs) delayMs = minPeriodMs;
        }
        return TimeSpan.FromMilliseconds(Math.Max(delayMs, MinDelay.TotalMilliseconds));
    }

    /// <summary>
    /// The wait before retry number <paramref name="failures"/> of a failed refresh: <c>sasl.login.retry.backoff.ms</c>
    /// doubling to <c>sasl.login.retry.backoff.max.ms</c> (Java waits a fixed 10 s, too long for short-lived tokens).
    /// </summary>
    public static TimeSpan RetryDelay(int failures, SaslLoginSettings login)
    {
        var first = Math.Max(login.RetryBackoffMs, MinRetryDelay.TotalMilliseconds);
        var max = Math.Max(login.RetryBackoffMaxMs, first);
        return TimeSpan.FromMilliseconds(Math.Min(first * Math.Pow(2, Math.Max(0, failures - 1)), max));
    }
}
