namespace KafkaActors.Metrics;

/// <summary>
/// The producer's counters, named after Java's producer metrics. Updated with interlocked operations
/// from caller threads and actors; read as a snapshot or through the Meter.
/// </summary>
internal sealed class ProducerMetrics
{
    private long _recordsSent;
    private long _recordErrors;
    private long _recordRetries;
    private long _batchesSent;
    private long _batchBytes;
    private long _uncompressedBytes;
    private long _requests;
    private long _requestRecords;
    private long _requestLatencyTotalMs;
    private long _requestLatencyMaxMs;
    private long _bufferExhausted;
    private long _bufferPoolWaitMs;
    private long _bytesSent;

    public long RecordsSent => Volatile.Read(ref _recordsSent);
    public long RecordErrors => Volatile.Read(ref _recordErrors);
    public long RecordRetries => Volatile.Read(ref _recordRetries);
    public long BatchesSent => Volatile.Read(ref _batchesSent);
    public long BatchBytes => Volatile.Read(ref _batchBytes);
    public long UncompressedBytes => Volatile.Read(ref _uncompressedBytes);
    public long Requests => Volatile.Read(ref _requests);
    public long RequestRecords => Volatile.Read(ref _requestRecords);
    public long RequestLatencyTotalMs => Volatile.Read(ref _requestLatencyTotalMs);
    public long RequestLatencyMaxMs => Volatile.Read(ref _requestLatencyMaxMs);
    public long BufferExhausted => Volatile.Read(ref _bufferExhausted);
    public long BufferPoolWaitMs => Volatile.Read(ref _bufferPoolWaitMs);
    public long BytesSent => Volatile.Read(ref _bytesSent);

    public void RecordSent(int records) => Interlocked.Add(ref _recordsSent, records);
    public void RecordError(int records) => Interlocked.Add(ref _recordErrors, records);
    public void RecordRetry(int records) => Interlocked.Add(ref _recordRetries, records);

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
        Interlocked.Add(ref _requestLatencyTotalMs, ms);
        long max;
        while (ms > (max = Volatile.Read(ref _requestLatencyMaxMs)) &&
               Interlocked.CompareExchange(ref _requestLatencyMaxMs, ms, max) != max) { }
    }

    public void RecordBufferExhausted() => Interlocked.Increment(ref _bufferExhausted);

    public void RecordBufferPoolWait(long ms) => Interlocked.Add(ref _bufferPoolWaitMs, ms);

    /// <summary>Current values under Java's producer-metrics names (totals and averages since start).</summary>
    public IReadOnlyDictionary<string, double> Snapshot(BufferPoolView pool)
    {
        var requests = Requests;
        var batches = BatchesSent;
        return new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["record-send-total"] = RecordsSent,
            ["record-error-total"] = RecordErrors,
            ["record-retry-total"] = RecordRetries,
            ["batch-size-avg"] = batches == 0 ? 0 : (double)BatchBytes / batches,
            ["compression-rate-avg"] = UncompressedBytes == 0 ? 1 : (double)BatchBytes / UncompressedBytes,
            ["records-per-request-avg"] = requests == 0 ? 0 : (double)RequestRecords / requests,
            ["request-total"] = requests,
            ["request-latency-avg"] = requests == 0 ? 0 : (double)RequestLatencyTotalMs / requests,
            ["request-latency-max"] = RequestLatencyMaxMs,
            ["outgoing-byte-total"] = BytesSent,
            ["buffer-total-bytes"] = pool.TotalBytes,
            ["buffer-available-bytes"] = pool.AvailableBytes,
            ["buffer-exhausted-total"] = BufferExhausted,
            ["buffer-exhausted-records"] = BufferExhausted,
            ["bufferpool-wait-time-ns-total"] = BufferPoolWaitMs * 1_000_000.0,
        };
    }
}

/// <summary>What the metrics snapshot reads from the buffer pool.</summary>
internal readonly record struct BufferPoolView(long TotalBytes, long AvailableBytes);
