namespace KafkaActors.Metrics;

/// <summary>
/// How a tagged metric is named in <c>MetricValues()</c>: Java's metric name followed by its tag, as in
/// <c>record-send-rate{topic=orders}</c> or <c>request-latency-avg{node-id=1}</c> (the group of Java's
/// MetricName is implied by the tag: producer-topic-metrics, producer-node-metrics). Names without a tag
/// are the producer's own (producer-metrics). Topic names cannot hold '{', '=' or '}'. Thread-safe (stateless).
/// </summary>
internal static class MetricKey
{
    public const string TopicTag = "topic";
    public const string NodeTag = "node-id";

    public static string Of(string name, string tag, string value) => $"{name}{{{tag}={value}}}";

    /// <summary>Splits a key made by <see cref="Of"/>; a plain name has no tag.</summary>
    public static (string Name, string? Tag, string? Value) Parse(string key)
    {
        var open = key.IndexOf('{');
        if (open < 0 || key[^1] != '}') return (key, null, null);
        var equals = key.IndexOf('=', open);
        if (equals < 0) return (key, null, null);
        return (key[..open], key[(open + 1)..equals], key[(equals + 1)..^1]);
    }
}
