using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;
using Akka.Streams.Supervision;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Producer;
using static KafkaActors.Producer.ProducerActorMessages;
using Decider = Akka.Streams.Supervision.Decider;
using Directive = Akka.Streams.Supervision.Directive;

namespace KafkaActors.Streams;

/// <summary>
/// What <see cref="KafkaProducerStage{TKey,TValue,TPassThrough}"/> (a flow) and <see cref="KafkaSinkStage{TKey,TValue}"/>
/// share: all the mutable state of one materialization. Each pushed element goes through the producer's
/// send path on the stage's own thread, without blocking: when metadata or buffer memory is missing, the
/// record waits (asynchronously) and nothing more is pulled until it is appended. At most
/// <c>parallelism</c> records are unacknowledged. With an outlet, results leave in input order; without
/// one (the sink), the materialized task completes once every record is acknowledged.
/// </summary>
internal sealed class ProducerStageLogic<TIn, TKey, TValue, TPassThrough> : GraphStageLogic, IInHandler, IOutHandler
{
    /// <summary>One record on its way: filled in by the partition actor, read by the stage once <see cref="Done"/>.</summary>
    private sealed class Slot(TIn element, ProducerRecord<TKey, TValue> record, ProducerStageLogic<TIn, TKey, TValue, TPassThrough> logic) : IDeliveryCallback
    {
        private int _done;

        public TIn Element { get; } = element;
        public ProducerRecord<TKey, TValue> Record { get; } = record;
        public RecordMetadata Metadata { get; private set; }
        public Exception? Error { get; private set; }
        public bool Done => Volatile.Read(ref _done) == 1;

        public void OnCompletion(RecordMetadata metadata, Exception? exception)
        {
            Metadata = metadata;
            Error = exception;
            Volatile.Write(ref _done, 1);
            logic.Signal();
        }
    }

    private readonly Inlet<TIn> _in;
    private readonly Outlet<ProducerResult<TKey, TValue, TPassThrough>>? _out;
    private readonly KafkaProducer<TKey, TValue> _producer;
    private readonly int _parallelism;
    private readonly Func<TIn, ProducerRecord<TKey, TValue>> _recordOf;
    private readonly Func<TIn, TPassThrough> _passThroughOf;
    private readonly TaskCompletionSource<Done>? _completion;
    private readonly ProducerRuntime<TKey, TValue> _runtime;
    private readonly Decider _decider;
    private readonly Queue<Slot> _slots = new();
    private readonly Action _onCompletions;
    private readonly Action<Task<TopicRoute>> _onRoute;
    private readonly Action<Task<byte[]>> _onMemory;
    private int _signalPending;
    private Slot? _waiting;
    private long _waitDeadline;
    private byte[]? _granted;
    private Task<byte[]>? _memoryRequest;

    public ProducerStageLogic(
        Shape shape,
        Inlet<TIn> inlet,
        Outlet<ProducerResult<TKey, TValue, TPassThrough>>? outlet,
        KafkaProducer<TKey, TValue> producer,
        int parallelism,
        Attributes attributes,
        Func<TIn, ProducerRecord<TKey, TValue>> recordOf,
        Func<TIn, TPassThrough> passThroughOf,
        TaskCompletionSource<Done>? completion) : base(shape)
    {
        _in = inlet;
        _out = outlet;
        _producer = producer;
        _parallelism = parallelism;
        _recordOf = recordOf;
        _passThroughOf = passThroughOf;
        _completion = completion;
        _runtime = producer.Runtime;
        _decider = attributes.GetAttribute<ActorAttributes.SupervisionStrategy>(null)?.Decider ?? Deciders.StoppingDecider;
        _onCompletions = GetAsyncCallback(OnCompletions);
        _onRoute = GetAsyncCallback<Task<TopicRoute>>(OnRoute);
        _onMemory = GetAsyncCallback<Task<byte[]>>(OnMemory);
        SetHandler(inlet, this);
        if (outlet is not null) SetHandler(outlet, this);
    }

    public override void PreStart()
    {
        // With its inlet closed a sink has no open port left: stay alive until the last acknowledgement.
        SetKeepGoing(true);
        Pull(_in);
    }

    public void OnPush()
    {
        var element = Grab(_in);
        var record = _runtime.Interceptors.OnSend(_recordOf(element));
        var slot = new Slot(element, record, this);
        _waitDeadline = MonotonicClock.NowMs + _runtime.Settings.MaxBlockMs;
        TrySend(slot);
    }

    public void OnUpstreamFinish() => MaybeComplete();

    public void OnUpstreamFailure(Exception e) => Fail(e);

    public void OnPull() => Emit();

    public void OnDownstreamFinish(Exception cause) => CompleteStage();

    /// <summary>Any thread: a record completed. One async callback covers many completions.</summary>
    public void Signal()
    {
        if (Interlocked.Exchange(ref _signalPending, 1) == 0) _onCompletions();
    }

    private void OnCompletions()
    {
        Volatile.Write(ref _signalPending, 0);
        Emit();
    }

    /// <summary>Appends the record, or parks it until metadata or memory is there.</summary>
    private void TrySend(Slot slot)
    {
        var record = slot.Record;
        var pipeline = _runtime.Pipeline;
        try
        {
            pipeline.ThrowIfClosed();
            if (!_runtime.Accumulator.TryGetRoute(record.Topic, out var route))
            {
                TopicName.Validate(record.Topic);
                Park(slot);
                var remaining = TimeSpan.FromMilliseconds(Math.Max(0, _waitDeadline - MonotonicClock.NowMs));
                _producer.Actor.Ask<TopicRoute>(new AwaitRoute(record.Topic, _waitDeadline), remaining + TimeSpan.FromSeconds(5))
                    .ContinueWith(_onRoute, TaskContinuationOptions.ExecuteSynchronously);
                return;
            }

            pipeline.Prepare(record, route, out var prepared);
            var buffer = _granted;
            _granted = null;
            if (!pipeline.TryAppend(record.Topic, ref prepared, slot, ref buffer))
            {
                var size = pipeline.BufferSizeFor(prepared);
                buffer ??= _runtime.Accumulator.Pool.TryAllocate(size);
                if (buffer is null || !pipeline.TryAppend(record.Topic, ref prepared, slot, ref buffer))
                {
                    _granted = buffer;
                    Park(slot);
                    var remaining = TimeSpan.FromMilliseconds(Math.Max(0, _waitDeadline - MonotonicClock.NowMs));
                    _memoryRequest = _runtime.Accumulator.Pool.AllocateAsync(size, remaining);
                    _memoryRequest.ContinueWith(_onMemory, TaskContinuationOptions.ExecuteSynchronously);
                    return;
                }
            }
            if (buffer is not null) _runtime.Accumulator.Pool.Deallocate(buffer);
            _waiting = null;
            _slots.Enqueue(slot);
            PullIfRoom();
        }
        catch (Exception e) when (e is KafkaException or ArgumentException)
        {
            _waiting = null;
            _runtime.Metrics.RecordError(1);
            _runtime.Interceptors.OnSendError(record, record.Partition ?? -1, e);
            if (!Decide(e)) return;
            PullIfRoom();
            MaybeComplete();
        }
    }

    private void Park(Slot slot) => _waiting = slot;

    private void OnRoute(Task<TopicRoute> route)
    {
        var slot = _waiting!;
        if (route.IsCompletedSuccessfully) TrySend(slot);
        else Failed(slot, route.Exception?.GetBaseException() is KafkaException k ? k
            : new KafkaTimeoutException($"Topic {slot.Record.Topic} not present in metadata after {_runtime.Settings.MaxBlockMs} ms."));
    }

    private void OnMemory(Task<byte[]> memory)
    {
        _memoryRequest = null;
        var slot = _waiting!;
        if (memory.IsCompletedSuccessfully)
        {
            _granted = memory.Result;
            TrySend(slot);
        }
        else
        {
            Failed(slot, memory.Exception?.GetBaseException() ?? new BufferExhaustedException("Buffer memory wait failed."));
        }
    }

    private void Failed(Slot slot, Exception error)
    {
        _waiting = null;
        _runtime.Metrics.RecordError(1);
        _runtime.Interceptors.OnSendError(slot.Record, slot.Record.Partition ?? -1, error);
        if (!Decide(error)) return;
        PullIfRoom();
        MaybeComplete();
    }

    /// <summary>Emits finished results in input order while downstream wants them (the sink just drops them).</summary>
    private void Emit()
    {
        while (_slots.TryPeek(out var head) && head.Done)
        {
            if (head.Error is { } error)
            {
                _slots.Dequeue();
                if (!Decide(error)) return;
                continue;
            }
            if (_out is null)
            {
                _slots.Dequeue();
                continue;
            }
            if (!IsAvailable(_out)) break;
            _slots.Dequeue();
            Push(_out, new ProducerResult<TKey, TValue, TPassThrough>(head.Metadata, head.Record, _passThroughOf(head.Element)));
        }
        PullIfRoom();
        MaybeComplete();
    }

    /// <summary>True to carry on (Resume/Restart drop the record), false after failing the stage.</summary>
    private bool Decide(Exception error)
    {
        // A closed or fatally failed producer can never succeed again: no point resuming.
        var directive = error is ProducerClosedException ? Directive.Stop : _decider(error);
        if (directive != Directive.Stop) return true;
        Fail(error);
        return false;
    }

    private void PullIfRoom()
    {
        if (_waiting is null && _slots.Count < _parallelism && !IsClosed(_in) && !HasBeenPulled(_in)) Pull(_in);
    }

    private void MaybeComplete()
    {
        if (!IsClosed(_in) || _waiting is not null || _slots.Count > 0) return;
        _completion?.TrySetResult(Done.Instance); // before CompleteStage, whose PostStop reports abrupt ends
        CompleteStage();
    }

    private void Fail(Exception error)
    {
        _completion?.TrySetException(error);
        FailStage(error);
    }

    public override void PostStop()
    {
        // Memory granted after the stage stopped never reaches OnMemory (Akka drops the callback): give it back.
        var pool = _runtime.Accumulator.Pool;
        _memoryRequest?.ContinueWith(t => { if (t.IsCompletedSuccessfully) pool.Deallocate(t.Result); }, TaskContinuationOptions.ExecuteSynchronously);
        if (_granted is not null) _runtime.Accumulator.Pool.Deallocate(_granted);
        _granted = null;
        _completion?.TrySetException(new AbruptStageTerminationException(this));
    }
}
