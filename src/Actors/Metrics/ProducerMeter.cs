using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KafkaActors.Metrics;

/// <summary>
/// Publishes every live producer's metrics through <see cref="System.Diagnostics.Metrics"/>: a
/// <see cref="Meter"/> named "KafkaActors" with Java's metric names, one measurement per producer tagged
/// with its client-id. OpenTelemetry (AddMeter("KafkaActors")), dotnet-counters and MeterListener pick
/// them up without code of ours. Totals are counters; rates, averages and buffer levels are gauges.
/// </summary>
public static class ProducerMeter
{
    /// <summary>The meter's name, for <c>AddMeter</c> / <c>dotnet-counters --counters</c>.</summary>
    public const string Name = "KafkaActors";

    private static readonly Meter Meter = new(Name, typeof(ProducerMeter).Assembly.GetName().Version?.ToString(3));
    private static readonly ConcurrentDictionary<Source, byte> Sources = new();

    private static readonly (string Name, string Unit, string Description)[] Counters =
    [
        ("record-send-total", "{record}", "Records sent and acknowledged."),
        ("record-error-total", "{record}", "Records that failed."),
        ("record-retry-total", "{record}", "Records sent again after a retriable error."),
        ("request-total", "{request}", "Produce requests sent."),
        ("outgoing-byte-total", "By", "Bytes of Produce requests sent."),
        ("buffer-exhausted-total", "{record}", "Records that could not get buffer memory within max.block.ms."),
        ("buffer-exhausted-records", "{record}", "Records that could not get buffer memory within max.block.ms."),
        ("bufferpool-wait-time-ns-total", "ns", "Time senders waited for buffer memory."),
        ("batch-split-total", "{batch}", "Batches split after a broker refused them as too large (MESSAGE_TOO_LARGE)."),
    ];

    private static readonly (string Name, string Unit, string Description)[] Gauges =
    [
        ("record-send-rate", "{record}/s", "Records acknowledged per second over the sample windows."),
        ("record-error-rate", "{record}/s", "Failed records per second."),
        ("record-retry-rate", "{record}/s", "Retried records per second."),
        ("request-rate", "{request}/s", "Produce requests per second."),
        ("outgoing-byte-rate", "By/s", "Bytes sent per second."),
        ("batch-size-avg", "By", "Average bytes per batch sent."),
        ("batch-split-rate", "{batch}/s", "Batches split per second."),
        ("records-per-request-avg", "{record}", "Average records per Produce request."),
        ("request-latency-avg", "ms", "Average time from a request's send to its answer."),
        ("request-latency-max", "ms", "Longest time from a request's send to its answer."),
        ("compression-rate-avg", "1", "Compressed batch size divided by uncompressed size."),
        ("buffer-total-bytes", "By", "buffer.memory."),
        ("buffer-available-bytes", "By", "Buffer memory not in use."),
        ("waiting-threads", "{sender}", "Senders waiting for buffer memory."),
        ("buffer-exhausted-rate", "{record}/s", "Records per second refused for lack of buffer memory."),
        ("bufferpool-wait-ratio", "1", "Fraction of time senders waited for buffer memory."),
        ("produce-throttle-time-avg", "ms", "Average throttle time brokers gave in their responses (quotas, KIP-219) over the sample windows."),
        ("produce-throttle-time-max", "ms", "Longest throttle time a broker gave in a response since the producer started."),
    ];

    static ProducerMeter()
    {
        foreach (var (name, unit, description) in Counters)
            Meter.CreateObservableCounter(name, () => Observe(name), unit, description);
        foreach (var (name, unit, description) in Gauges)
            Meter.CreateObservableGauge(name, () => Observe(name), unit, description);
    }

    /// <summary>Starts publishing a producer's metrics; dispose the result to stop.</summary>
    internal static IDisposable Register(string clientId, Func<IReadOnlyDictionary<string, double>> snapshot)
    {
        var source = new Source(new KeyValuePair<string, object?>("client-id", clientId), snapshot);
        Sources.TryAdd(source, 0);
        return source;
    }

    private static IEnumerable<Measurement<double>> Observe(string name)
    {
        foreach (var source in Sources.Keys)
            if (source.Values.TryGetValue(name, out var value)) yield return new Measurement<double>(value, source.Tag);
    }

    /// <summary>One producer; its snapshot is computed once per collection, not once per instrument.</summary>
    private sealed class Source(KeyValuePair<string, object?> tag, Func<IReadOnlyDictionary<string, double>> snapshot) : IDisposable
    {
        private IReadOnlyDictionary<string, double>? _cached;
        private long _cachedAt;

        public KeyValuePair<string, object?> Tag { get; } = tag;

        public IReadOnlyDictionary<string, double> Values
        {
            get
            {
                var now = Stopwatch.GetTimestamp();
                if (_cached is null || Stopwatch.GetElapsedTime(_cachedAt, now) > TimeSpan.FromMilliseconds(100))
                {
                    _cached = snapshot();
                    _cachedAt = now;
                }
                return _cached;
            }
        }

        public void Dispose() => Sources.TryRemove(this, out _);
    }
}
