using System.Diagnostics;
using System.Reflection;
using KafkaActors.Metadata;

namespace KafkaActors.Tracing;

/// <summary>
/// The producer's <see cref="ActivitySource"/>, named <c>KafkaActors</c>: one <c>send {topic}</c> span (kind
/// Producer) per record, with OpenTelemetry's messaging semantic conventions for Kafka. Front ends call
/// <see cref="StartSend{TKey,TValue}"/> only when <see cref="Source"/> has listeners: without one, no Activity,
/// no allocation and no header work. Stateless; thread-safe.
/// </summary>
public static class ProducerTracing
{
    /// <summary>The name of the ActivitySource to listen to (e.g. OpenTelemetry's <c>AddSource("KafkaActors")</c>).</summary>
    public const string SourceName = "KafkaActors";

    internal static readonly ActivitySource Source = new(SourceName, typeof(ProducerTracing).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    /// <summary>
    /// Starts a record's span and returns the completion to carry in its place (a <see cref="TracedDelivery"/>
    /// wrapping <paramref name="completion"/>), or <paramref name="completion"/> itself when the listeners
    /// sample the span out. With <paramref name="explicitParent"/> the span's parent is <paramref name="parent"/>
    /// (a root span when it is default), whatever Activity.Current is on this thread; otherwise it is
    /// Activity.Current. Activity.Current is left as it was: the span is not the caller's current activity.
    /// </summary>
    internal static object? StartSend<TKey, TValue>(ProducerRecord<TKey, TValue> record, object? completion, string clientId,
        ActivityContext parent, bool explicitParent)
    {
        var previous = Activity.Current;
        if (explicitParent) Activity.Current = null;
        var activity = Source.StartActivity(SpanName(record.Topic), ActivityKind.Producer, explicitParent ? parent : default);
        Activity.Current = previous;
        if (activity is null) return completion;
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(TagNames.System, "kafka");
            activity.SetTag(TagNames.OperationName, "send");
            activity.SetTag(TagNames.OperationType, "send");
            activity.SetTag(TagNames.DestinationName, record.Topic);
            if (record.Key is string key) activity.SetTag(TagNames.MessageKey, key);
            activity.SetTag(TagNames.ClientId, clientId);
        }
        return new TracedDelivery(activity, completion);
    }

    // One "send {topic}" string per topic rather than one per record.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> SpanNames = new(StringComparer.Ordinal);

    private static string SpanName(string topic) => SpanNames.TryGetValue(topic, out var name) ? name : SpanNames.GetOrAdd(topic, static t => "send " + t);

    /// <summary>Activity.Current's context, boxed, while someone listens (a root span's parent otherwise: null).</summary>
    internal static object? CaptureCurrentContext() =>
        Source.HasListeners() && Activity.Current is { } current ? current.Context : null;

    /// <summary>The span of a record that fails before a batch with the error thrown to the sender: its delivery (if any) is not told.</summary>
    internal static object? WithoutDelivery(object? completion) => completion is TracedDelivery traced ? traced.Detached() : null;

    /// <summary>Where the record goes, once its partition is chosen (and its leader known).</summary>
    internal static void OnPlaced(Activity activity, int partition, BrokerNode? leader)
    {
        if (!activity.IsAllDataRequested) return;
        activity.SetTag(TagNames.PartitionId, PartitionId(partition));
        if (leader is null) return;
        activity.SetTag(TagNames.ServerAddress, leader.Host);
        activity.SetTag(TagNames.ServerPort, leader.Port);
    }

    // Partition ids as strings (the convention's type); small ones cached, as every record tags one.
    private static readonly string[] SmallPartitionIds = Enumerable.Range(0, 64).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    internal static string PartitionId(int partition) =>
        (uint)partition < (uint)SmallPartitionIds.Length ? SmallPartitionIds[partition] : partition.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>OpenTelemetry's attribute names (semantic conventions for messaging, Kafka).</summary>
    internal static class TagNames
    {
        public const string System = "messaging.system";
        public const string OperationName = "messaging.operation.name";
        public const string OperationType = "messaging.operation.type";
        public const string DestinationName = "messaging.destination.name";
        public const string PartitionId = "messaging.destination.partition.id";
        public const string MessageKey = "messaging.kafka.message.key";
        public const string Offset = "messaging.kafka.offset";
        public const string ClientId = "messaging.client.id";
        public const string ServerAddress = "server.address";
        public const string ServerPort = "server.port";
        public const string ErrorType = "error.type";
    }
}
