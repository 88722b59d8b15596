using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Interceptors;
using KafkaActors.Metadata;
using KafkaActors.Metrics;
using KafkaActors.Network;
using KafkaActors.Partitioning;
using KafkaActors.Producer;
using KafkaActors.Serialization;
using KafkaActors.Settings;
using KafkaActors.Tracing;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors;

/// <summary>
/// The task-based face of a producer (Java's <c>KafkaProducer</c>), for code outside actors. Thread-safe:
/// call it from any thread. <see cref="Send(ProducerRecord{TKey,TValue},Action{RecordMetadata,Exception})"/>
/// and <see cref="SendAsync"/> run the send path on the calling thread (interceptors, serialization,
/// partitioning, append) and involve actors only to wait. Send waits like Java's send (blocking up to
/// max.block.ms in all, for metadata, buffer memory or earlier waiting records of its topic); SendAsync
/// never blocks: such a record waits in the producer actor instead, keeping its place before later
/// sends to its topic.
///
/// Behind it runs a <see cref="ProducerActor{TKey,TValue}"/> (exposed as <see cref="Actor"/>, so actors can
/// Tell records to the same producer) in the given ActorSystem, or in one of its own.
/// </summary>
public sealed partial class KafkaProducer<TKey, TValue> : IDisposable, IAsyncDisposable
{
    private readonly ProducerRuntime<TKey, TValue> _runtime;
    private readonly ActorSystem _system;
    private readonly bool _ownsSystem;
    private readonly IDisposable _meterRegistration;
    private int _closed;
    private Task? _closing;
    private readonly System.Runtime.CompilerServices.StrongBox<KafkaProducer<TKey, TValue>?> _openForShutdown;

    public KafkaProducer(
        ProducerSettings settings,
        ISerializer<TKey>? keySerializer = null,
        ISerializer<TValue>? valueSerializer = null,
        ActorSystem? system = null,
        IPartitioner? partitioner = null,
        IEnumerable<IProducerInterceptor<TKey, TValue>>? interceptors = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        keySerializer ??= Serializers.For<TKey>() ?? throw new ConfigException($"No built-in serializer for key type {typeof(TKey).Name}: pass one.");
        valueSerializer ??= Serializers.For<TValue>() ?? throw new ConfigException($"No built-in serializer for value type {typeof(TValue).Name}: pass one.");
        _ownsSystem = system is null;
        _system = system ?? ActorSystem.Create("kafka-producer", OwnSystemConfig);
        var log = Logging.GetLogger(_system, typeof(KafkaProducer<TKey, TValue>));
        var allInterceptors = InterceptorFactory.Create<TKey, TValue>(settings).Concat(interceptors ?? []).ToList();
        _runtime = new ProducerRuntime<TKey, TValue>(settings, keySerializer, valueSerializer, partitioner, allInterceptors,
            e => log.Warning(e, "User code (an interceptor or the partitioner's hook) threw; ignored."),
            e => log.Warning(e, "A delivery callback threw; other records are unaffected."));
        ProducerDispatcher.EnsureRegistered(_system);
        Actor = _system.ActorOf(ProducerActor<TKey, TValue>.Props(_runtime), $"kafka-producer-{ActorName(_runtime.ClientId)}-{Guid.NewGuid():N}");
        _meterRegistration = ProducerMeter.Register(_runtime.ClientId, _runtime.MetricValues);
        _openForShutdown = new(this);
        if (!_ownsSystem) CloseOnShutdown();
    }

    /// <summary>Any client.id is legal in Kafka; actor names allow fewer characters.</summary>
    private static string ActorName(string clientId) =>
        string.Concat(clientId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    /// <summary>
    /// In someone else's ActorSystem, deliver what is buffered when it shuts down: close in
    /// CoordinatedShutdown's service-stop phase, within that phase's timeout. Akka cannot remove a task, so the task
    /// holds the producer only until it closes: a closed producer (and its buffer memory) is not kept alive by it.
    /// </summary>
    private void CloseOnShutdown()
    {
        var shutdown = CoordinatedShutdown.Get(_system);
        var timeout = shutdown.Timeout(CoordinatedShutdown.PhaseServiceStop) - TimeSpan.FromMilliseconds(500);
        var open = _openForShutdown;
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, $"close-kafka-producer-{_runtime.ClientId}", async () =>
        {
            if (open.Value is { } producer) await producer.CloseAsync(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero).ConfigureAwait(false);
            return Done.Instance;
        });
    }

    /// <summary>A producer from Java property names and values (Java's <c>new KafkaProducer(Properties)</c>).</summary>
    public KafkaProducer(IEnumerable<KeyValuePair<string, string>> properties, ISerializer<TKey>? keySerializer = null, ISerializer<TValue>? valueSerializer = null, ActorSystem? system = null)
        : this(ProducerSettings.FromProperties(properties), keySerializer, valueSerializer, system)
    {
    }

    /// <summary>The producer actor: Tell it <see cref="ProducerRecord{TKey,TValue}"/> or <see cref="Produce{TKey,TValue}"/>.</summary>
    public IActorRef Actor { get; }

    public string ClientId => _runtime.ClientId;

    public ProducerSettings Settings => _runtime.Settings;

    internal Metrics.ProducerMetrics Metrics => _runtime.Metrics;

    internal ProducerRuntime<TKey, TValue> Runtime => _runtime;

    /// <summary>The producer's metrics under Java's names (record-send-total, request-latency-avg, buffer-available-bytes, …).</summary>
    public IReadOnlyDictionary<string, double> MetricValues() => _runtime.MetricValues();

    /// <summary>
    /// Sends a record; the task completes with its metadata once acknowledged as acks asks. Never blocks:
    /// a record that has to wait for its topic's metadata or for buffer memory waits (up to max.block.ms)
    /// in the producer actor, keeping its place before later sends to its topic. Await the tasks (or bound
    /// how many are outstanding): records waiting for memory hold on to your objects meanwhile.
    /// <paramref name="cancellation"/> applies only while the record waits (the task then fails with
    /// <see cref="InterruptException"/>); once appended, the record's real outcome is reported.
    /// </summary>
    /// <exception cref="ProducerClosedException">The producer is closed.</exception>
    /// <exception cref="SerializationException">The key or value serializer failed.</exception>
    /// <remarks>Errors from the broker or its metadata (timeouts, record too large, invalid topic) fail the task instead of throwing, as in Java.</remarks>
    public Task<RecordMetadata> SendAsync(ProducerRecord<TKey, TValue> record, CancellationToken cancellation = default)
    {
        var completion = new TaskCompletionSource<RecordMetadata>(TaskCreationOptions.RunContinuationsAsynchronously);
        DoSend(record, completion, mayBlock: false, cancellation);
        return completion.Task;
    }

    /// <summary>
    /// Sends a record; <paramref name="callback"/> (if any) gets its outcome (see <see cref="IDeliveryCallback"/> for the thread).
    /// Like Java's send it blocks, at most max.block.ms in all, while the topic's metadata is fetched,
    /// buffer.memory is used up or earlier records of its topic wait in the producer actor, which holds
    /// back a sending loop: call it from your own threads, and prefer <see cref="SendAsync"/> in async code.
    /// </summary>
    public void Send(ProducerRecord<TKey, TValue> record, Action<RecordMetadata, Exception?>? callback = null) => DoSend(record, callback, mayBlock: true, default);

    /// <summary>Sends a record with an allocation-free callback object (blocks like <see cref="Send(ProducerRecord{TKey,TValue},Action{RecordMetadata,Exception})"/>).</summary>
    public void Send(ProducerRecord<TKey, TValue> record, IDeliveryCallback callback) => DoSend(record, callback, mayBlock: true, default);

    private void DoSend(ProducerRecord<TKey, TValue> record, object? completion, bool mayBlock, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(record);
        // One deadline for every wait of a blocking Send: behind waiting records, for metadata, for memory. Set by the
        // first wait (as Java's, whose buffer wait starts after serialization): a send that never waits reads no clock.
        var deadline = NoDeadline;
        var interceptors = _runtime.Interceptors;
        if (!interceptors.IsEmpty) record = interceptors.OnSend(record);
        // The span's parent is the caller's Activity.Current; only while someone listens (otherwise no work at all).
        if (ProducerTracing.Source.HasListeners()) completion = ProducerTracing.StartSend(record, completion, _runtime.ClientId, default, explicitParent: false);
        var partition = record.Partition ?? -1;
        var pipeline = _runtime.Pipeline;
        try
        {
            pipeline.ThrowIfCannotSend();
            var topic = record.Topic;
            var behindWaiting = _runtime.WaitingSends.Any(topic);
            if (behindWaiting || !_runtime.Accumulator.TryGetRoute(topic, out var route))
            {
                route = RouteOrEnqueue(record, completion, behindWaiting, mayBlock, ref deadline, cancellation);
                if (route is null) return;
            }

            pipeline.Prepare(record, route, completion, out var prepared);
            partition = prepared.Partition;
            if (pipeline.Append(topic, ref prepared, completion, null, out var size) == AppendResult.NeedsMemory)
                AppendWithMemory(record, completion, mayBlock, ref deadline, cancellation, ref prepared, size);
        }
        catch (ApiException e)
        {
            pipeline.FailUnbatched(record, partition, completion, e);
        }
        catch (Exception e)
        {
            // Thrown to the caller, as in Java (serializers, the partitioner, a closed producer): no callback.
            pipeline.FailUnbatched(record, partition, ProducerTracing.WithoutDelivery(completion), e);
            throw;
        }
    }

    /// <summary>
    /// The send's slow start (kept out of the per-record path): its topic has no route yet, or records of it wait in the
    /// producer actor. Returns the route to append with, or null when the record was handed to the actor.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TopicRoute? RouteOrEnqueue(ProducerRecord<TKey, TValue> record, object? completion, bool behindWaiting, bool mayBlock, ref long deadline,
        CancellationToken cancellation)
    {
        var topic = record.Topic;
        TopicName.Validate(topic);
        if (behindWaiting || !mayBlock)
        {
            // What can be checked without metadata still throws here, as in Java: the serializers,
            // and the explicit partition when the partition count is known.
            if (_runtime.Accumulator.TryGetRoute(topic, out var known)) _runtime.Pipeline.Prepare(record, known, null, out _);
            else _runtime.Pipeline.CheckSerializable(record);
            Enqueue(record, completion, Deadline(ref deadline), mayBlock, cancellation);
            return null;
        }
        // Java's send: wait here rather than queue, so a sending loop cannot pile records up in the actor.
        return WaitForRoute(topic, Deadline(ref deadline), cancellation);
    }

    /// <summary>
    /// A new batch needs memory that is not free now: a Send waits for it (the serialized bytes wait meanwhile in this
    /// thread's scratch buffers, or are the record's own), a SendAsync hands the record to the producer actor.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AppendWithMemory(ProducerRecord<TKey, TValue> record, object? completion, bool mayBlock, ref long deadline,
        CancellationToken cancellation, ref PreparedRecord prepared, int size)
    {
        while (true)
        {
            if (!mayBlock)
            {
                Enqueue(record, completion, Deadline(ref deadline), mayBlock, cancellation);
                return;
            }
            var granted = _runtime.Accumulator.Pool.Allocate(size, Remaining(Deadline(ref deadline)), cancellation);
            if (_runtime.Pipeline.Append(record.Topic, ref prepared, completion, granted, out size) == AppendResult.Appended) return;
        }
    }

    /// <summary>
    /// Hands a record to the producer actor, where it waits behind earlier waiting records of its topic (up
    /// to <paramref name="deadline"/>) without blocking anyone. A blocking Send then waits until the actor has
    /// appended or failed it; a SendAsync returns, and its cancellation applies while the record waits.
    /// </summary>
    private void Enqueue(ProducerRecord<TKey, TValue> record, object? completion, long deadline, bool mayBlock, CancellationToken cancellation)
    {
        var item = new WaitingSend<TKey, TValue>(record, completion, deadline, fromFacade: true);
        var handled = mayBlock ? item.TrackHandled() : null;
        if (!mayBlock) item.CancelWith(cancellation, _runtime.Pipeline);
        _runtime.WaitingSends.Added(record.Topic);
        Actor.Tell(item);
        if (handled is null) return;
        // The actor fails the record at the deadline itself; the extra second is a backstop. Not disposed:
        // after a backstop timeout the actor still sets it (a slim event holds no kernel handle here).
        handled.Wait(Remaining(deadline) + TimeSpan.FromSeconds(1));
    }

    private TopicRoute WaitForRoute(string topic, long deadline, CancellationToken cancellation)
    {
        try
        {
            // The actor answers at the deadline itself (with a better message); the ask timeout is a backstop.
            var ask = Actor.Ask<TopicRoute>(new AwaitRoute(topic, deadline), Remaining(deadline) + TimeSpan.FromSeconds(1), cancellation);
            return ask.GetAwaiter().GetResult();
        }
        catch (AskTimeoutException e)
        {
            throw new KafkaTimeoutException($"Topic {topic} not present in metadata after {_runtime.Settings.MaxBlockMs} ms.", e);
        }
        catch (OperationCanceledException e) when (cancellation.IsCancellationRequested)
        {
            throw new InterruptException($"Interrupted while waiting for metadata of topic {topic}.", e);
        }
    }

    private const long NoDeadline = long.MinValue;

    /// <summary>The send's deadline, max.block.ms from its first wait.</summary>
    private long Deadline(ref long deadline) =>
        deadline != NoDeadline ? deadline : deadline = MonotonicClock.NowMs + _runtime.Settings.MaxBlockMs;

    private static TimeSpan Remaining(long deadline) => TimeSpan.FromMilliseconds(Math.Max(0, deadline - MonotonicClock.NowMs));

    /// <summary>The partitions of a topic with their leaders (waits up to max.block.ms for metadata).</summary>
    public IReadOnlyList<PartitionInfo> PartitionsFor(string topic)
    {
        _runtime.Pipeline.ThrowIfClosed();
        TopicName.Validate(topic);
        var deadline = MonotonicClock.NowMs + _runtime.Settings.MaxBlockMs;
        WaitForRoute(topic, deadline, default);
        // The actor answers at once; a backstop second past the one deadline, as for the route.
        return Actor.Ask<IReadOnlyList<PartitionInfo>>(new DescribeTopic(topic), Remaining(deadline) + TimeSpan.FromSeconds(1)).GetAwaiter().GetResult();
    }

    /// <summary>Sends everything buffered now and waits until every record sent before this call is complete.</summary>
    public void Flush() => FlushAsync().GetAwaiter().GetResult();

    public async Task FlushAsync(CancellationToken cancellation = default)
    {
        try
        {
            // Through the actor: records waiting there for metadata or memory were sent before this flush.
            await Actor.Ask<Flushed>(KafkaActors.Flush.Instance, Timeout.InfiniteTimeSpan, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellation.IsCancellationRequested)
        {
            throw new InterruptException("Flush interrupted.", e);
        }
    }

    /// <summary>
    /// Stops accepting records, sends what is buffered and waits up to <paramref name="timeout"/> for it;
    /// whatever is still incomplete then fails with <see cref="ProducerClosedException"/>. Later sends throw.
    /// </summary>
    public void Close(TimeSpan timeout) => CloseAsync(timeout).GetAwaiter().GetResult();

    public Task CloseAsync(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0) _closing = CloseOnce(timeout);
        return _closing!;
    }

    private async Task CloseOnce(TimeSpan timeout)
    {
        _runtime.BeginClose(); // new sends fail from now on; the actor sends what was accepted
        var answered = false;
        try
        {
            // The actor bounds each phase itself; the ask's timeout is only a backstop should it be gone.
            await Actor.Ask<Done>(new ProducerActorMessages.Close(timeout), timeout + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            answered = true;
        }
        catch (Exception)
        {
            // The actor is gone (its system shut down first): its children failed what they held when they stopped.
        }
        try
        {
            // Having answered, it is stopping itself; while its ActorSystem shuts down too the Terminated may never
            // come, so wait only briefly for it then.
            await Actor.GracefulStop(answered ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TaskCanceledException or AskTimeoutException)
        {
            // stopping anyway
        }
        _runtime.Interceptors.Dispose();
        _meterRegistration.Dispose();
        _openForShutdown.Value = null; // closed: the shutdown task need not keep it (until now it awaits this close)
        if (_ownsSystem) await _system.Terminate().ConfigureAwait(false);
    }

    /// <summary>Closes, waiting at most delivery.timeout.ms for buffered records.</summary>
    public void Dispose() => Close(_runtime.Settings.DeliveryTimeout);

    public async ValueTask DisposeAsync() => await CloseAsync(_runtime.Settings.DeliveryTimeout).ConfigureAwait(false);

    /// <summary>A quiet ActorSystem for producers created without one, with the TCP frames and dispatcher a producer wants (<see cref="DedicatedSystemConfig"/>).</summary>
    private static Config OwnSystemConfig => ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        """).WithFallback(DedicatedSystemConfig.Config);
}
