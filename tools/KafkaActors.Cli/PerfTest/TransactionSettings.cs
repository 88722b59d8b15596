using KafkaActors.Cli.CommandLine;
using KafkaActors.Settings;

namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Whether perf-test runs in transactions, decided as Kafka's ProducerPerformance does: on when
/// <c>--transaction-duration-ms</c>, <c>--transactional-id</c> or a transactional.id property is given; the id is the
/// flag's, else the property's, else <see cref="DefaultIdPrefix"/> and a random UUID; the duration defaults to
/// <see cref="DefaultDurationMs"/>. Stateless.
/// </summary>
internal static class TransactionSettings
{
    public const string DefaultIdPrefix = "performance-producer-";
    public const long DefaultDurationMs = 3000;

    /// <summary>Sets transactional.id in <paramref name="properties"/> when transactions are on.</summary>
    /// <returns>The transaction duration in ms, or null without transactions.</returns>
    public static long? Apply(string? transactionalId, long? durationMs, string durationOption, Dictionary<string, string> properties)
    {
        if (durationMs is <= 0) throw new UsageException($"{durationOption} should be greater than zero.");
        var fromProperties = properties.TryGetValue(ProducerConfig.TransactionalId, out var id) ? id : null;
        if (durationMs is null && transactionalId is null && fromProperties is null) return null;
        var chosen = transactionalId ?? fromProperties ?? DefaultIdPrefix + Guid.NewGuid();
        if (string.IsNullOrWhiteSpace(chosen)) throw new UsageException("The transactional id must not be empty.");
        properties[ProducerConfig.TransactionalId] = chosen;
        return durationMs ?? DefaultDurationMs;
    }
}
