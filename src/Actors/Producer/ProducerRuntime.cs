using System.Threading;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Interceptors;
using KafkaActors.Metrics;
using KafkaActors.Partitioning;
using KafkaActors.Serialization;
using KafkaActors.Settings;
using KafkaActors.Transactions;

namespace KafkaActors.Producer;

/// <summary>
/// Everything one producer instance shares between its facade, its ProducerActor, its stream stages and
/// its partition actors: settings, serializers, partitioner, interceptors, metrics, the record accumulator
/// and the count of facade records waiting in the ProducerActor. Thread-safe: immutable references to
/// thread-safe parts, plus the fatal error (set once), the closing flag and <see cref="WaitingSends"/>.
/// </summary>
internal sealed class ProducerRuntime<TKey, TValue>
{
    private static int _clientIds;
    private Exception? _fatalError;
    private volatile bool _closing;

    public ProducerRuntime(
        ProducerSettings settings,
        ISerializer<TKey> keySerializer,
        ISerializer<TValue> valueSerializer,
        IPartitioner? partitioner,
        IReadOnlyList<IProducerInterceptor<TKey, TValue>> interceptors,
        Action<Exception> onUserCodeError,
        Action<Exception>? onCallbackError = null)
    {
        OnUserCodeError = onUserCodeError;
        OnCallbackError = onCallbackError ?? onUserCodeError;
        Settings = settings;
        ClientId = settings.ClientId.Length > 0 ? settings.ClientId : $"producer-{Interlocked.Increment(ref _clientIds)}";
        KeySerializer = keySerializer;
        ValueSerializer = valueSerializer;
        Partitioner = partitioner ?? PartitionerFactory.Create(settings);
        Interceptors = new ProducerInterceptors<TKey, TValue>(interceptors, onUserCodeError);
        Metrics = new ProducerMetrics(settings.MetricsSampleWindowMs, settings.MetricsNumSamples, ClientId);
        Accumulator = new RecordAccumulator(settings, Metrics);
        Pipeline = new SendPipeline<TKey, TValue>(this);
        Transactions = settings.TransactionalId is { } id ? new TransactionStateMachine(id) : null;
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

    /// <summary>Logs an exception of user code (interceptor, partitioner hook) that is ignored, as Java ignores it.</summary>
    public Action<Exception> OnUserCodeError { get; }

    /// <summary>Logs an exception thrown by a delivery callback; the other records are unaffected.</summary>
    public Action<Exception> OnCallbackError { get; }

    /// <summary>The transaction state of a transactional producer (null without transactional.id).</summary>
    public TransactionStateMachine? Transactions { get; }

    /// <summary>Facade records waiting in the ProducerActor, per topic: later facade sends to such a topic queue behind them.</summary>
    public WaitingSends WaitingSends { get; } = new();

    /// <summary>Set when the producer can never send again (e.g. the cluster refused it a producer id).</summary>
    public Exception? FatalError => Volatile.Read(ref _fatalError);

    /// <summary>Close has begun: no new records are accepted; the ones already accepted still go out.</summary>
    public bool IsClosing => _closing;

    public void BeginClose() => _closing = true;

    public void SetFatal(Exception error) => Interlocked.CompareExchange(ref _fatalError, error, null);

    /// <summary>Every metric by its Java name (windowed rates included).</summary>
    public IReadOnlyDictionary<string, double> MetricValues()
    {
        var pool = Accumulator.Pool;
        return Metrics.Snapshot(new BufferPoolView(pool.TotalMemory, pool.AvailableMemory, pool.QueuedWaiters));
    }

    /// <summary>The interceptor chain as the partition actors see it (null when there are none, to skip the call).</summary>
    public IAcknowledgementInterceptor? AcknowledgementInterceptor => Interceptors.IsEmpty ? null : Interceptors;
}
