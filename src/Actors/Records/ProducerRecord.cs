namespace KafkaActors;

/// <summary>
/// A record to send (Java's <c>ProducerRecord</c>): topic, optional partition, optional timestamp
/// (milliseconds since the epoch; now when null), key, value and headers.
/// </summary>
public sealed class ProducerRecord<TKey, TValue>
{
    public ProducerRecord(string topic, TValue value) : this(topic, null, null, default!, value, null) { }

    public ProducerRecord(string topic, TKey key, TValue value) : this(topic, null, null, key, value, null) { }

    public ProducerRecord(string topic, int? partition, TKey key, TValue value) : this(topic, partition, null, key, value, null) { }

    public ProducerRecord(string topic, int? partition, long? timestamp, TKey key, TValue value, Headers? headers = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (partition < 0) throw new ArgumentException($"Invalid partition: {partition}. Partition number should always be non-negative or null.", nameof(partition));
        if (timestamp < 0) throw new ArgumentException($"Invalid timestamp: {timestamp}. Timestamp should always be non-negative or null.", nameof(timestamp));
        Topic = topic;
        Partition = partition;
        Timestamp = timestamp;
        Key = key;
        Value = value;
        Headers = headers;
    }

    public string Topic { get; }
    public int? Partition { get; }
    public long? Timestamp { get; }
    public TKey Key { get; }
    public TValue Value { get; }
    public Headers? Headers { get; }

    public override string ToString() =>
        $"ProducerRecord(topic={Topic}, partition={Partition?.ToString() ?? "null"}, headers={Headers?.Count ?? 0}, key={Key}, value={Value}, timestamp={Timestamp?.ToString() ?? "null"})";
}
