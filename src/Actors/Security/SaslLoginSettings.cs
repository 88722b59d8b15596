namespace KafkaActors.Security;

/// <summary>
/// Java's <c>sasl.login.*</c> settings: how tokens are fetched (KIP-768) and refreshed before they expire.
/// Immutable; built by the settings reader. Defaults are Java's.
/// </summary>
public sealed record SaslLoginSettings
{
    /// <summary><c>sasl.login.connect.timeout.ms</c>: connecting to the token endpoint (Java: no default; 10 s here).</summary>
    public long ConnectTimeoutMs { get; init; } = 10_000;

    /// <summary><c>sasl.login.read.timeout.ms</c>: waiting for the token endpoint's answer (Java: no default; 10 s here).</summary>
    public long ReadTimeoutMs { get; init; } = 10_000;

    /// <summary><c>sasl.login.retry.backoff.ms</c>: the first wait before retrying a failed token request.</summary>
    public long RetryBackoffMs { get; init; } = 100;

    /// <summary><c>sasl.login.retry.backoff.max.ms</c>: the longest wait between token request attempts.</summary>
    public long RetryBackoffMaxMs { get; init; } = 10_000;

    /// <summary><c>sasl.login.refresh.window.factor</c>: refresh once this fraction of the token's lifetime has passed (0.5–1.0).</summary>
    public double RefreshWindowFactor { get; init; } = 0.8;

    /// <summary><c>sasl.login.refresh.window.jitter</c>: random extra fraction of the lifetime added to the refresh time (0–0.25).</summary>
    public double RefreshWindowJitter { get; init; } = 0.05;

    /// <summary><c>sasl.login.refresh.min.period.seconds</c>: never refresh sooner than this after the last refresh (0–900).</summary>
    public int RefreshMinPeriodSeconds { get; init; } = 60;

    /// <summary><c>sasl.login.refresh.buffer.seconds</c>: refresh at least this long before the token expires (0–3600).</summary>
    public int RefreshBufferSeconds { get; init; } = 300;
}
