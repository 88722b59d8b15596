using System.Numerics;
using KafkaActors.Protocol.Records;

namespace KafkaActors.Metrics;

/// <summary>
/// One topic's counters (Java's producer-topic-metrics, tagged <c>topic</c>), each also counted in the
/// producer's totals. Partition actors fetch theirs once, at start, and record per batch, never per record.
/// Thread-safe (interlocked updates).
/// </summary>
internal sealed class TopicMetrics
{
    private readonly ProducerMetrics _producer;
    private readonly MetricWindow<TopicCounters> _window;
    private readonly KeyValuePair<string, object?>[] _tags;
    private long _recordsSent;
    private long _recordErrors;
    private long _recordRetries;
    private long _batches;
    private long _bytes;
    private long _uncompressedBytes;

    public TopicMetrics(ProducerMetrics producer, string topic, long windowMs, int samples)
    {
        _producer = producer;
        Topic = topic;
        _window = new MetricWindow<TopicCounters>(windowMs, samples);
        _tags = [new("client-id", producer.ClientId), new(MetricKey.TopicTag, topic)];
    }

    public string Topic { get; }

    /// <summary>Whether anything was recorded (a topic appears in the snapshot from then on).</summary>
    public bool Used => Volatile.Read(ref _batches) > 0 || Volatile.Read(ref _recordErrors) > 0;

    public void RecordSent(int records)
    {
        Interlocked.Add(ref _recordsSent, records);
        _producer.RecordSent(records);
    }

    public void RecordError(int records)
    {
        Interlocked.Add(ref _recordErrors, records);
        _producer.RecordError(records);
    }

    public void RecordRetry(int records)
    {
        Interlocked.Add(ref _recordRetries, records);
        _producer.RecordRetry(records);
    }

    /// <summary>
    /// A batch drained for its first send: its bytes after and before compression, its records and their
    /// largest, and its time in the accumulator (Java records queue time and sizes per drained batch too).
    /// </summary>
    public void RecordBatch(int compressedBytes, int uncompressedBytes, int records, int maxRecordSize, long queueTimeMs)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _bytes, compressedBytes);
        Interlocked.Add(ref _uncompressedBytes, uncompressedBytes);
        _producer.RecordBatch(compressedBytes, uncompressedBytes, records, uncompressedBytes - RecordBatchLayout.HeaderSize, maxRecordSize, queueTimeMs);
        if (ProducerMeter.RecordQueueTime.Enabled) ProducerMeter.RecordQueueTime.Record(queueTimeMs, _tags[0], _tags[1]);
    }

    /// <summary>This topic's entries for the snapshot, keyed as <see cref="MetricKey"/> describes.</summary>
    public void AddTo(IDictionary<string, double> values, long now)
    {
        var current = new TopicCounters(Volatile.Read(ref _recordsSent), Volatile.Read(ref _recordErrors), Volatile.Read(ref _recordRetries),
            Volatile.Read(ref _bytes), Volatile.Read(ref _uncompressedBytes));
        var (delta, seconds) = _window.Since(now, current);
        void Add(string name, double value) => values[MetricKey.Of(name, MetricKey.TopicTag, Topic)] = value;
        Add("record-send-total", current.RecordsSent);
        Add("record-send-rate", delta.RecordsSent / seconds);
        Add("record-error-total", current.RecordErrors);
        Add("record-error-rate", delta.RecordErrors / seconds);
        Add("record-retry-total", current.RecordRetries);
        Add("record-retry-rate", delta.RecordRetries / seconds);
        Add("byte-total", current.Bytes);
        Add("byte-rate", delta.Bytes / seconds);
        Add("compression-rate", delta.UncompressedBytes == 0 ? 1 : (double)delta.Bytes / delta.UncompressedBytes);
    }

    private readonly record struct TopicCounters(long RecordsSent, long RecordErrors, long RecordRetries, long Bytes, long UncompressedBytes)
        : ISubtractionOperators<TopicCounters, TopicCounters, TopicCounters>
    {
        public static TopicCounters operator -(TopicCounters a, TopicCounters b) => new(
            a.RecordsSent - b.RecordsSent, a.RecordErrors - b.RecordErrors, a.RecordRetries - b.RecordRetries,
            a.Bytes - b.Bytes, a.UncompressedBytes - b.UncompressedBytes);
    }
}
