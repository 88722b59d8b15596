using System.Diagnostics.Metrics;
using KafkaActors.Metrics;

namespace KafkaActors.Tests.Support;

/// <summary>
/// A <see cref="MeterListener"/> on the "KafkaActors" meter. <see cref="Collect"/> asks every observable
/// instrument for its current measurements (synchronously, on the calling thread) and returns them by
/// client-id, then by instrument name, with a topic or node-id tag appended as MetricValues() keys them
/// (<c>record-send-rate{topic=t}</c>). Histogram measurements are recorded as they happen, on any thread,
/// and kept apart (<see cref="Histogram"/>). Other producers in the process (parallel tests) show up under
/// their own client-ids; tests look only at theirs.
/// </summary>
public sealed class MeterCapture : IDisposable
{
    private readonly object _lock = new();
    private readonly MeterListener _listener = new();
    private Dictionary<string, Dictionary<string, double>> _current = new();
    private readonly List<string> _untagged = [];
    private readonly List<string> _duplicates = [];
    private readonly List<HistogramMeasurement> _histograms = [];

    public MeterCapture()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ProducerMeter.Name) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Measurements without a client-id tag seen by the last collection (should be none).</summary>
    public IReadOnlyList<string> Untagged { get { lock (_lock) return _untagged.ToList(); } }

    /// <summary>"client-id/instrument" measured more than once by the last collection (two producers reported as one).</summary>
    public IReadOnlyList<string> Duplicates { get { lock (_lock) return _duplicates.ToList(); } }

    /// <summary>One producer's histogram measurements of <paramref name="instrument"/> so far.</summary>
    public IReadOnlyList<HistogramMeasurement> Histogram(string clientId, string instrument)
    {
        lock (_histograms) return _histograms.Where(h => h.ClientId == clientId && h.Instrument == instrument).ToList();
    }

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? clientId = null;
        string? tagName = null;
        string? tagValue = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "client-id") clientId = tag.Value as string;
            else (tagName, tagValue) = (tag.Key, tag.Value as string);
        }
        if (!instrument.IsObservable)
        {
            lock (_histograms) _histograms.Add(new HistogramMeasurement(instrument.Name, clientId, tagName, tagValue, value));
            return;
        }
        if (clientId is null)
        {
            _untagged.Add(instrument.Name);
            return;
        }
        var key = tagName is null ? instrument.Name : MetricKey.Of(instrument.Name, tagName, tagValue ?? "");
        if (!_current.TryGetValue(clientId, out var values)) _current[clientId] = values = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!values.TryAdd(key, value)) _duplicates.Add($"{clientId}/{key}");
    }

    /// <summary>One collection of all instruments: client-id → instrument → value.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, double>> Collect()
    {
        lock (_lock)
        {
            _current = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
            _untagged.Clear();
            _duplicates.Clear();
            _listener.RecordObservableInstruments();
            return _current;
        }
    }

    /// <summary>One producer's measurements (empty when it is not reported).</summary>
    public IReadOnlyDictionary<string, double> Collect(string clientId) =>
        Collect().TryGetValue(clientId, out var values) ? values : new Dictionary<string, double>();

    public void Dispose() => _listener.Dispose();
}

/// <summary>One histogram measurement: its instrument, producer, topic or node-id tag, and value.</summary>
public sealed record HistogramMeasurement(string Instrument, string? ClientId, string? Tag, string? TagValue, double Value);
