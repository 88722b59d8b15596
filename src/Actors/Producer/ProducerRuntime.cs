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
    private int _facadeSendsQueued;
    private volatile bool _closing;
    private readonly ManualResetEventSlim _facadeQueueEmpty = new(initialState: true);

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
        Metrics = new ProducerMetrics(settings.MetricsSampleWindowMs, settings.MetricsNumSamples);
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

    /// <summary>Close has begun: no new records are accepted; the ones already accepted still go out.</summary>
    public bool IsClosing => _closing;

    public void BeginClose() => _closing = true;

    /// <summary>
    /// Facade records waiting in the producer actor's queue. While there are any, later facade sends
    /// queue behind them instead of appending directly, so records keep the order they were sent in.
    /// </summary>
    public bool HasQueuedFacadeSends => Volatile.Read(ref _facadeSendsQueued) > 0;

    public void FacadeSendQueued()
    {
        if (Interlocked.Increment(ref _facadeSendsQueued) == 1) _facadeQueueEmpty.Reset();
    }

    public void FacadeSendDone()
    {
        if (Interlocked.Decrement(ref _facadeSendsQueued) == 0) _facadeQueueEmpty.Set();
    }

    /// <summary>Blocks until the facade records queued in the actor are appended (or failed), at most <paramref name="timeout"/>.</summary>
    public bool WaitForQueuedFacadeSends(TimeSpan timeout, CancellationToken cancellation) => _facadeQueueEmpty.Wait(timeout, cancellation);

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
