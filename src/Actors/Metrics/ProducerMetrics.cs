using System.Collections.Concurrent;
using System.Diagnostics;
using KafkaActors.Internal;

namespace KafkaActors.Metrics;

/// <summary>
/// One producer's counters, kept under Java's producer-metrics names, with its topics' (<see cref="TopicMetrics"/>)
/// and nodes' (<see cref="NodeMetrics"/>). Updated with interlocked operations (per batch or request, never per
/// record) from caller threads and actors; read through <see cref="Snapshot"/>, which adds Java's windowed rates,
/// averages and maxima, and through <see cref="ProducerMeter"/>. Thread-safe.
/// </summary>
internal sealed class ProducerMetrics(long sampleWindowMs = 30_000, int samples = 2, string clientId = "")
{
    private readonly MetricWindow<Counters> _window = new(sampleWindowMs, samples);
    private readonly WindowedMax _requestLatencyMax = new(sampleWindowMs, samples);
    private readonly WindowedMax _throttleTimeMax = new(sampleWindowMs, samples);
    private readonly WindowedMax _queueTimeMax = new(sampleWindowMs, samples);
    private readonly WindowedMax _recordSizeMax = new(sampleWindowMs, samples);
    private readonly ConcurrentDictionary<string, TopicMetrics> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, NodeMetrics> _nodes = new();
    private long _recordsSent;
    private long _recordErrors;
    private long _recordRetries;
    private long _batchesSent;
    private long _batchBytes;
    private long _uncompressedBytes;
    private long _batchedRecords;
    private long _recordBytes;
    private long _queueTimeTotalMs;
    private long _requests;
    private long _requestRecords;
    private long _responses;
    private long _requestLatencyTotalMs;
    private long _bufferExhausted;
    private long _bufferPoolWaitTicks;
    private long _bytesSent;
    private long _throttledResponses;
    private long _throttleTimeTotalMs;
    private long _batchSplits;

    public string ClientId { get; } = clientId;

    public long RecordsSent => Volatile.Read(ref _recordsSent);
    public long RecordErrors => Volatile.Read(ref _recordErrors);
    public long BufferExhausted => Volatile.Read(ref _bufferExhausted);

    /// <summary>A topic's metrics, created on first use; callers keep the result rather than look it up per batch.</summary>
    public TopicMetrics ForTopic(string topic) =>
        _topics.TryGetValue(topic, out var metrics) ? metrics : _topics.GetOrAdd(topic, t => new TopicMetrics(this, t, sampleWindowMs, samples));

    /// <summary>A node's metrics, created on first use; a connection keeps its own.</summary>
    public NodeMetrics ForNode(int nodeId) =>
        _nodes.TryGetValue(nodeId, out var metrics) ? metrics : _nodes.GetOrAdd(nodeId, n => new NodeMetrics(this, n, sampleWindowMs, samples));

    public void RecordSent(int records) => Interlocked.Add(ref _recordsSent, records);
    public void RecordError(int records) => Interlocked.Add(ref _recordErrors, records);
    public void RecordRetry(int records) => Interlocked.Add(ref _recordRetries, records);
    public void RecordBatchSplit() => Interlocked.Increment(ref _batchSplits);

    /// <summary>A batch drained for its first send (through <see cref="TopicMetrics.RecordBatch"/>).</summary>
    public void RecordBatch(int compressedBytes, int uncompressedBytes, int records, int recordBytes, int maxRecordSize, long queueTimeMs)
    {
        var now = MonotonicClock.NowMs;
        Interlocked.Increment(ref _batchesSent);
        Interlocked.Add(ref _batchBytes, compressedBytes);
        Interlocked.Add(ref _uncompressedBytes, uncompressedBytes);
        Interlocked.Add(ref _batchedRecords, records);
        Interlocked.Add(ref _recordBytes, recordBytes);
        Interlocked.Add(ref _queueTimeTotalMs, queueTimeMs);
        _queueTimeMax.Record(queueTimeMs, now);
        _recordSizeMax.Record(maxRecordSize, now);
    }

    public void RecordRequest(int records, int bytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _requestRecords, records);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    /// <summary>A Produce response's latency (through <see cref="NodeMetrics.RecordLatency"/>).</summary>
    public void RecordLatency(long ms, long nowMs)
    {
        Interlocked.Increment(ref _responses);
        Interlocked.Add(ref _requestLatencyTotalMs, ms);
        _requestLatencyMax.Record(ms, nowMs);
    }

    /// <summary>A response's throttle time (0 when the broker did not throttle), as Java's throttle-time sensor records every response.</summary>
    public void RecordThrottleTime(long ms)
    {
        Interlocked.Increment(ref _throttledResponses);
        Interlocked.Add(ref _throttleTimeTotalMs, ms);
        _throttleTimeMax.Record(ms, MonotonicClock.NowMs);
    }

    public void RecordBufferExhausted() => Interlocked.Increment(ref _bufferExhausted);

    public void RecordBufferPoolWait(long stopwatchTicks) => Interlocked.Add(ref _bufferPoolWaitTicks, stopwatchTicks);

    /// <summary>
    /// Every metric by its Java name: totals since start, rates and averages over the sample windows, maxima over
    /// the last samples windows (<see cref="WindowedMax"/>); per-topic and per-node ones keyed as <see cref="MetricKey"/> says.
    /// </summary>
    public IReadOnlyDictionary<string, double> Snapshot(BufferPoolView pool)
    {
        var now = Stopwatch.GetTimestamp();
        var nowMs = MonotonicClock.NowMs;
        var current = Read();
        var (delta, seconds) = _window.Since(now, current);
        var inFlight = 0;
        foreach (var node in _nodes.Values) inFlight += node.InFlight;
        var values = new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["record-send-total"] = current.RecordsSent,
            ["record-send-rate"] = delta.RecordsSent / seconds,
            ["record-error-total"] = current.RecordErrors,
            ["record-error-rate"] = delta.RecordErrors / seconds,
            ["record-retry-total"] = current.RecordRetries,
            ["record-retry-rate"] = delta.RecordRetries / seconds,
            ["batch-size-avg"] = Ratio(delta.BatchBytes, delta.Batches),
            ["batch-split-total"] = current.BatchSplits,
            ["batch-split-rate"] = delta.BatchSplits / seconds,
            ["compression-rate-avg"] = delta.UncompressedBytes == 0 ? 1 : (double)delta.BatchBytes / delta.UncompressedBytes,
            ["record-queue-time-avg"] = Ratio(delta.QueueTimeMs, delta.Batches),
            ["record-queue-time-max"] = _queueTimeMax.Read(nowMs),
            ["record-size-avg"] = Ratio(delta.RecordBytes, delta.BatchedRecords),
            ["record-size-max"] = _recordSizeMax.Read(nowMs),
            ["records-per-request-avg"] = Ratio(delta.RequestRecords, delta.Requests),
            ["request-total"] = current.Requests,
            ["request-rate"] = delta.Requests / seconds,
            ["request-latency-avg"] = Ratio(delta.LatencyMs, delta.Responses),
            ["request-latency-max"] = _requestLatencyMax.Read(nowMs),
            ["requests-in-flight"] = inFlight,
            ["outgoing-byte-total"] = current.BytesSent,
            ["outgoing-byte-rate"] = delta.BytesSent / seconds,
            ["buffer-total-bytes"] = pool.TotalBytes,
            ["buffer-available-bytes"] = pool.AvailableBytes,
            ["waiting-threads"] = pool.Waiters,
            ["buffer-exhausted-total"] = current.BufferExhausted,
            ["buffer-exhausted-rate"] = delta.BufferExhausted / seconds,
            ["buffer-exhausted-records"] = current.BufferExhausted,
            ["bufferpool-wait-time-ns-total"] = current.WaitNanos,
            ["bufferpool-wait-ratio"] = delta.WaitNanos / (seconds * 1e9),
            ["produce-throttle-time-avg"] = Ratio(delta.ThrottleTimeMs, delta.ThrottledResponses),
            ["produce-throttle-time-max"] = _throttleTimeMax.Read(nowMs),
        };
        foreach (var topic in _topics.Values)
            if (topic.Used) topic.AddTo(values, now);
        foreach (var node in _nodes.Values)
            if (node.Used) node.AddTo(values, now, nowMs);
        return values;
    }

    private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;

    private Counters Read() => new(
        Volatile.Read(ref _recordsSent), Volatile.Read(ref _recordErrors), Volatile.Read(ref _recordRetries),
        Volatile.Read(ref _batchesSent), Volatile.Read(ref _batchBytes), Volatile.Read(ref _uncompressedBytes),
        Volatile.Read(ref _requests), Volatile.Read(ref _requestRecords), Volatile.Read(ref _responses),
        Volatile.Read(ref _requestLatencyTotalMs), Volatile.Read(ref _bufferExhausted),
        (long)(Volatile.Read(ref _bufferPoolWaitTicks) * (1e9 / Stopwatch.Frequency)), Volatile.Read(ref _bytesSent),
        Volatile.Read(ref _throttledResponses), Volatile.Read(ref _throttleTimeTotalMs), Volatile.Read(ref _batchSplits),
        Volatile.Read(ref _batchedRecords), Volatile.Read(ref _recordBytes), Volatile.Read(ref _queueTimeTotalMs));
}

/// <summary>What the snapshot reads from the buffer pool.</summary>
internal readonly record struct BufferPoolView(long TotalBytes, long AvailableBytes, int Waiters);
