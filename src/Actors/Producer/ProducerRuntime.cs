using System.Threading;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Interceptors;
using KafkaActors.Metrics;
using KafkaActors.Partitioning;
using KafkaActors.Serialization;
using KafkaActors.Settings;

namespace KafkaActors.Producer;

/// <summary>
/// Everything one producer instance shares between its facade, its ProducerActor and its partition
/// actors: settings, serializers, partitioner, interceptors, metrics and the record accumulator.
/// Immutable references to thread-safe parts; the only mutable field is the fatal error, set once.
/// </summary>
internal sealed class ProducerRuntime<TKey, TValue>
{
    private static int _clientIds;
    private Exception? _fatalError;

    public ProducerRuntime(
        ProducerSettings settings,
        ISerializer<TKey> keySerializer,
        ISerializer<TValue> valueSerializer,
        IPartitioner? partitioner,
        IReadOnlyList<IProducerInterceptor<TKey, TValue>> interceptors,
        Action<Exception> onUserCodeError)
    {
        Settings = settings;
        ClientId = settings.ClientId.Length > 0 ? settings.ClientId : $"producer-{Interlocked.Increment(ref _clientIds)}";
        KeySerializer = keySerializer;
        ValueSerializer = valueSerializer;
        Partitioner = partitioner ?? PartitionerFactory.Create(settings);
        Interceptors = new ProducerInterceptors<TKey, TValue>(interceptors, onUserCodeError);
        Metrics = new ProducerMetrics();
        Accumulator = new RecordAccumulator(settings, Metrics);
        Pipeline = new SendPipeline<TKey, TValue>(this);
    }

    public ProducerSettings Settings { get; }
    public string ClientId { get; }
    public ISerializer<TKey> KeySerializer { get; }
    public ISerializer<TValue> ValueSerializer { get; }
    public IPartitioner Partitioner { get; }
    public ProducerInterceptors<TKey, TValue> Interceptors { get; }
    public ProducerMetrics Metrics { get; }
    public RecordAccumulator Accumulator { get; }
    public SendPipeline<TKey, TValue> Pipeline { get; }

    /// <summary>Set when the producer can never send again (e.g. the cluster refused it a producer id).</summary>
    public Exception? FatalError => Volatile.Read(ref _fatalError);

    public void SetFatal(Exception error) => Interlocked.CompareExchange(ref _fatalError, error, null);

    /// <summary>The interceptor chain as the partition actors see it (null when there are none, to skip the call).</summary>
    public IAcknowledgementInterceptor? AcknowledgementInterceptor => Interceptors.IsEmpty ? null : Interceptors;
}
