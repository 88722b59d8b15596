using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KafkaActors.Metrics;

/// <summary>
/// Publishes every live producer's metrics through <see cref="System.Diagnostics.Metrics"/>: a
/// <see cref="Meter"/> named "KafkaActors" with Java's metric names, one measurement per producer tagged
/// with its client-id; per-topic and per-node metrics are further measurements of the same instrument, tagged
/// <c>topic</c> or <c>node-id</c> as well (sum either those or the untagged one, not both). OpenTelemetry
/// (AddMeter("KafkaActors")), dotnet-counters and MeterListener pick them up without code of ours. Totals are
/// counters; rates, averages, maxima and buffer levels are gauges; <c>request-latency</c> and
/// <c>record-queue-time</c> are also histograms, recorded as they happen (only while someone listens).
/// Thread-safe.
/// </summary>
public static class ProducerMeter
{
    /// <summary>The meter's name, for <c>AddMeter</c> / <c>dotnet-counters --counters</c>.</summary>
    public const string Name = "KafkaActors";

    private static readonly Meter Meter = new(Name, typeof(ProducerMeter).Assembly.GetName().Version?.ToString(3));
    private static readonly ConcurrentDictionary<Source, byte> Sources = new();

    private static readonly (string Name, string Unit, string Description)[] Counters =
    [
        ("record-send-total", "{record}", "Records sent and acknowledged (per topic too)."),
        ("record-error-total", "{record}", "Records that failed (per topic too)."),
        ("record-retry-total", "{record}", "Records sent again after a retriable error (per topic too)."),
        ("request-total", "{request}", "Produce requests sent (per node-id too)."),
        ("outgoing-byte-total", "By", "Bytes of Produce requests sent (per node-id too)."),
        ("byte-total", "By", "Bytes of batches sent, per topic (after compression)."),
        ("buffer-exhausted-total", "{record}", "Records that could not get buffer memory within max.block.ms."),
        ("buffer-exhausted-records", "{record}", "Records that could not get buffer memory within max.block.ms."),
        ("bufferpool-wait-time-ns-total", "ns", "Time senders waited for buffer memory."),
        ("batch-split-total", "{batch}", "Batches split after a broker refused them as too large (MESSAGE_TOO_LARGE)."),
    ];

    private static readonly (string Name, string Unit, string Description)[] Gauges =
    [
        ("record-send-rate", "{record}/s", "Records acknowledged per second over the sample windows (per topic too)."),
        ("record-error-rate", "{record}/s", "Failed records per second (per topic too)."),
        ("record-retry-rate", "{record}/s", "Retried records per second (per topic too)."),
        ("request-rate", "{request}/s", "Produce requests per second (per node-id too)."),
        ("outgoing-byte-rate", "By/s", "Bytes of Produce requests sent per second (per node-id too)."),
        ("batch-size-avg", "By", "Average bytes per batch sent."),
        ("batch-split-rate", "{batch}/s", "Batches split per second."),
        ("records-per-request-avg", "{record}", "Average records per Produce request."),
        ("request-latency-avg", "ms", "Average time from a Produce request's send to its answer (per node-id too)."),
        ("request-latency-max", "ms", "Longest time from a Produce request's send to its answer in the sample windows (per node-id too)."),
        ("requests-in-flight", "{request}", "Requests sent and not yet answered, of every API."),
        ("record-queue-time-avg", "ms", "Average time batches spent in the accumulator before their first send."),
        ("record-queue-time-max", "ms", "Longest time a batch spent in the accumulator, in the sample windows."),
        ("record-size-avg", "By", "Average size of a record in its batch (before compression)."),
        ("record-size-max", "By", "Largest record in the sample windows (before compression)."),
        ("byte-rate", "By/s", "Bytes of batches sent per second, per topic."),
        ("compression-rate", "1", "Compressed batch size divided by uncompressed size, per topic."),
        ("compression-rate-avg", "1", "Compressed batch size divided by uncompressed size."),
        ("buffer-total-bytes", "By", "buffer.memory."),
        ("buffer-available-bytes", "By", "Buffer memory not in use."),
        ("waiting-threads", "{sender}", "Senders waiting for buffer memory."),
        ("buffer-exhausted-rate", "{record}/s", "Records per second refused for lack of buffer memory."),
        ("bufferpool-wait-ratio", "1", "Fraction of time senders waited for buffer memory."),
        ("produce-throttle-time-avg", "ms", "Average throttle time brokers gave in their responses (quotas, KIP-219) over the sample windows."),
        ("produce-throttle-time-max", "ms", "Longest throttle time a broker gave in a response, in the sample windows."),
    ];

    /// <summary>Each Produce request's latency, tagged client-id and node-id.</summary>
    internal static readonly Histogram<double> RequestLatency = Meter.CreateHistogram<double>(
        "request-latency", "ms", "Time from a Produce request's send to its answer.");

    /// <summary>Each batch's time in the accumulator before its first send, tagged client-id and topic.</summary>
    internal static readonly Histogram<double> RecordQueueTime = Meter.CreateHistogram<double>(
        "record-queue-time", "ms", "Time a batch spent in the accumulator before its first send.");

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
            if (source.Measurements.TryGetValue(name, out var measurements))
                foreach (var measurement in measurements) yield return measurement;
    }

    /// <summary>One producer; its snapshot is computed once per collection, not once per instrument.</summary>
    private sealed class Source(KeyValuePair<string, object?> tag, Func<IReadOnlyDictionary<string, double>> snapshot) : IDisposable
    {
        private readonly object _lock = new();
        private Dictionary<string, List<Measurement<double>>>? _cached;
        private long _cachedAt;

        /// <summary>The snapshot's values by instrument, each with its tags (client-id, then topic or node-id).</summary>
        public IReadOnlyDictionary<string, List<Measurement<double>>> Measurements
        {
            get
            {
                lock (_lock)
                {
                    var now = Stopwatch.GetTimestamp();
                    if (_cached is null || Stopwatch.GetElapsedTime(_cachedAt, now) > TimeSpan.FromMilliseconds(100))
                    {
                        _cached = Group(snapshot());
                        _cachedAt = now;
                    }
                    return _cached;
                }
            }
        }

        private Dictionary<string, List<Measurement<double>>> Group(IReadOnlyDictionary<string, double> values)
        {
            var grouped = new Dictionary<string, List<Measurement<double>>>(StringComparer.Ordinal);
            foreach (var (key, value) in values)
            {
                var (name, tagName, tagValue) = MetricKey.Parse(key);
                if (!grouped.TryGetValue(name, out var list)) grouped[name] = list = [];
                list.Add(tagName is null ? new Measurement<double>(value, tag) : new Measurement<double>(value, tag, new(tagName, tagValue)));
            }
            return grouped;
        }

        public void Dispose() => Sources.TryRemove(this, out _);
    }
}
