using System.Diagnostics;

namespace KafkaActors.Metrics;

/// <summary>
/// One producer's counters, kept under Java's producer-metrics names. Updated with interlocked
/// operations (per batch or request, never per record) from caller threads and actors; read through
/// <see cref="Snapshot"/>, which adds Java's windowed rates and averages, and through <see cref="ProducerMeter"/>.
/// </summary>
internal sealed class ProducerMetrics(long sampleWindowMs = 30_000, int samples = 2)
{
    private readonly MetricWindow _window = new(sampleWindowMs, samples);
    private long _recordsSent;
    private long _recordErrors;
    private long _recordRetries;
    private long _batchesSent;
    private long _batchBytes;
    private long _uncompressedBytes;
    private long _requests;
    private long _requestRecords;
    private long _responses;
    private long _requestLatencyTotalMs;
    private long _requestLatencyMaxMs;
    private long _bufferExhausted;
    private long _bufferPoolWaitTicks;
    private long _bytesSent;
    private long _throttledResponses;
    private long _throttleTimeTotalMs;
    private long _throttleTimeMaxMs;
    private long _batchSplits;

    public long RecordsSent => Volatile.Read(ref _recordsSent);
    public long RecordErrors => Volatile.Read(ref _recordErrors);
    public long BufferExhausted => Volatile.Read(ref _bufferExhausted);

    public void RecordSent(int records) => Interlocked.Add(ref _recordsSent, records);
    public void RecordError(int records) => Interlocked.Add(ref _recordErrors, records);
    public void RecordRetry(int records) => Interlocked.Add(ref _recordRetries, records);
    public void RecordBatchSplit() => Interlocked.Increment(ref _batchSplits);

    public void RecordBatch(int compressedBytes, int uncompressedBytes)
    {
        Interlocked.Increment(ref _batchesSent);
        Interlocked.Add(ref _batchBytes, compressedBytes);
        Interlocked.Add(ref _uncompressedBytes, uncompressedBytes);
    }

    public void RecordRequest(int records, int bytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _requestRecords, records);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    public void RecordLatency(long ms)
    {
        Interlocked.Increment(ref _responses);
        Interlocked.Add(ref _requestLatencyTotalMs, ms);
        long max;
        while (ms > (max = Volatile.Read(ref _requestLatencyMaxMs)) &&
               Interlocked.CompareExchange(ref _requestLatencyMaxMs, ms, max) != max) { }
    }

    /// <summary>A response's throttle time (0 when the broker did not throttle), as Java's throttle-time sensor records every response.</summary>
    public void RecordThrottleTime(long ms)
    {
        Interlocked.Increment(ref _throttledResponses);
        Interlocked.Add(ref _throttleTimeTotalMs, ms);
        long max;
        while (ms > (max = Volatile.Read(ref _throttleTimeMaxMs)) &&
               Interlocked.CompareExchange(ref _throttleTimeMaxMs, ms, max) != max) { }
    }

    public void RecordBufferExhausted() => Interlocked.Increment(ref _bufferExhausted);

    public void RecordBufferPoolWait(long stopwatchTicks) => Interlocked.Add(ref _bufferPoolWaitTicks, stopwatchTicks);

    /// <summary>Every metric by its Java name: totals since start, rates and averages over the sample windows.</summary>
    public IReadOnlyDictionary<string, double> Snapshot(BufferPoolView pool)
    {
        var now = Stopwatch.GetTimestamp();
        var current = Read();
        var (since, past) = _window.Baseline(now, current);
        var seconds = Math.Max(Stopwatch.GetElapsedTime(since, now).TotalSeconds, 1e-3);
        var delta = current - past;
        return new SortedDictionary<string, double>(StringComparer.Ordinal)
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
            ["records-per-request-avg"] = Ratio(delta.RequestRecords, delta.Requests),
            ["request-total"] = current.Requests,
            ["request-rate"] = delta.Requests / seconds,
            ["request-latency-avg"] = Ratio(delta.LatencyMs, delta.Responses),
            ["request-latency-max"] = Volatile.Read(ref _requestLatencyMaxMs),
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
            ["produce-throttle-time-max"] = Volatile.Read(ref _throttleTimeMaxMs),
        };
    }

    private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;

    private Counters Read() => new(
        Volatile.Read(ref _recordsSent), Volatile.Read(ref _recordErrors), Volatile.Read(ref _recordRetries),
        Volatile.Read(ref _batchesSent), Volatile.Read(ref _batchBytes), Volatile.Read(ref _uncompressedBytes),
        Volatile.Read(ref _requests), Volatile.Read(ref _requestRecords), Volatile.Read(ref _responses),
        Volatile.Read(ref _requestLatencyTotalMs), Volatile.Read(ref _bufferExhausted),
        (long)(Volatile.Read(ref _bufferPoolWaitTicks) * (1e9 / Stopwatch.Frequency)), Volatile.Read(ref _bytesSent),
        Volatile.Read(ref _throttledResponses), Volatile.Read(ref _throttleTimeTotalMs), Volatile.Read(ref _batchSplits));
}

/// <summary>What the snapshot reads from the buffer pool.</summary>
internal readonly record struct BufferPoolView(long TotalBytes, long AvailableBytes, int Waiters);
