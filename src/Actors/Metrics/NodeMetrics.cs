using System.Numerics;
using KafkaActors.Internal;

namespace KafkaActors.Metrics;

/// <summary>
/// One broker's counters (Java's producer-node-metrics, tagged <c>node-id</c>) for Produce requests, each
/// also counted in the producer's totals, plus the connection's requests in flight (every API). The node's
/// connection actor fetches it once and records per request. Thread-safe (interlocked updates).
/// </summary>
internal sealed class NodeMetrics
{
    private readonly ProducerMetrics _producer;
    private readonly MetricWindow<NodeCounters> _window;
    private readonly WindowedMax _latencyMax;
    private readonly KeyValuePair<string, object?>[] _tags;
    private long _requests;
    private long _bytes;
    private long _responses;
    private long _latencyTotalMs;
    private int _inFlight;

    public NodeMetrics(ProducerMetrics producer, int nodeId, long windowMs, int samples)
    {
        _producer = producer;
        NodeId = nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _window = new MetricWindow<NodeCounters>(windowMs, samples);
        _latencyMax = new WindowedMax(windowMs, samples);
        _tags = [new("client-id", producer.ClientId), new(MetricKey.NodeTag, NodeId)];
    }

    public string NodeId { get; }

    /// <summary>Requests sent and not yet answered (or, for acks=0, not yet written), of every API.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Whether a Produce request went to this node (it appears in the snapshot from then on).</summary>
    public bool Used => Volatile.Read(ref _requests) > 0;

    /// <summary>The connection's count of requests in flight, set whenever it changes.</summary>
    public void SetInFlight(int count) => Volatile.Write(ref _inFlight, count);

    public void RecordRequest(int records, int bytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, bytes);
        _producer.RecordRequest(records, bytes);
    }

    /// <summary>A Produce response's latency: from the request's send to its answer.</summary>
    public void RecordLatency(long ms)
    {
        var now = MonotonicClock.NowMs;
        Interlocked.Increment(ref _responses);
        Interlocked.Add(ref _latencyTotalMs, ms);
        _latencyMax.Record(ms, now);
        _producer.RecordLatency(ms, now);
        if (ProducerMeter.RequestLatency.Enabled) ProducerMeter.RequestLatency.Record(ms, _tags[0], _tags[1]);
    }

    /// <summary>This node's entries for the snapshot, keyed as <see cref="MetricKey"/> describes.</summary>
    public void AddTo(IDictionary<string, double> values, long now, long nowMs)
    {
        var current = new NodeCounters(Volatile.Read(ref _requests), Volatile.Read(ref _bytes), Volatile.Read(ref _responses), Volatile.Read(ref _latencyTotalMs));
        var (delta, seconds) = _window.Since(now, current);
        void Add(string name, double value) => values[MetricKey.Of(name, MetricKey.NodeTag, NodeId)] = value;
        Add("request-total", current.Requests);
        Add("request-rate", delta.Requests / seconds);
        Add("outgoing-byte-total", current.Bytes);
        Add("outgoing-byte-rate", delta.Bytes / seconds);
        Add("request-latency-avg", delta.Responses == 0 ? 0 : (double)delta.LatencyMs / delta.Responses);
        Add("request-latency-max", _latencyMax.Read(nowMs));
    }

    private readonly record struct NodeCounters(long Requests, long Bytes, long Responses, long LatencyMs)
        : ISubtractionOperators<NodeCounters, NodeCounters, NodeCounters>
    {
        public static NodeCounters operator -(NodeCounters a, NodeCounters b) => new(
            a.Requests - b.Requests, a.Bytes - b.Bytes, a.Responses - b.Responses, a.LatencyMs - b.LatencyMs);
    }
}
