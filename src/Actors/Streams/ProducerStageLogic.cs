using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using Akka.Streams.Supervision;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Producer;
using KafkaActors.Tracing;
using static KafkaActors.Producer.ProducerActorMessages;
using Decider = Akka.Streams.Supervision.Decider;
using Directive = Akka.Streams.Supervision.Directive;

namespace KafkaActors.Streams;

/// <summary>
/// What <see cref="KafkaProducerStage{TKey,TValue,TPassThrough,TOut}"/> (the flows) and <see cref="KafkaSinkStage{TIn,TKey,TValue}"/>
/// share: all the mutable state of one materialization, owned by the stage (not thread-safe, but for
/// <see cref="Slot"/>, completed on partition actors). Each pushed element goes through the producer's
/// one append path on the stage's own thread, without blocking: when metadata or buffer memory is missing,
/// the record waits (asynchronously) and nothing more is pulled until it is appended. At most
/// <c>parallelism</c> records are unacknowledged. With an outlet, outcomes leave in input order; without
/// one (the sink), the materialized task completes once every record is acknowledged.
///
/// A failed record: with <c>onFailure</c> (the flow with errors) it is emitted in its place; otherwise the
/// supervision decider stops the stage or (Resume, Restart) drops the record with a warning. A closed
/// producer stops the stage whatever the decider, since no record can succeed any more.
///
/// <see cref="TransactionalStageLogic{TIn,TKey,TValue,TOut}"/> derives from it and uses the protected hooks to
/// gate pulls, releases and completion on its transactions; without it they let everything through.
/// </summary>
internal class ProducerStageLogic<TIn, TKey, TValue, TOut> : TimerGraphStageLogic, IInHandler, IOutHandler
{
    /// <summary>One record on its way: filled in by the partition actor (or the stage), read by the stage once <see cref="Done"/>.</summary>
    private sealed class Slot(TIn element, ProducerRecord<TKey, TValue> record, ProducerStageLogic<TIn, TKey, TValue, TOut> logic) : IDeliveryCallback
    {
        private int _done;

        public TIn Element { get; } = element;
        public ProducerRecord<TKey, TValue> Record { get; } = record;

        /// <summary>What the batch completes: this slot, or (traced) a <see cref="TracedDelivery"/> wrapping it.</summary>
        public object Completion { get; set; } = null!;
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
    private readonly Outlet<TOut>? _out;
    private readonly KafkaProducer<TKey, TValue> _producer;
    private readonly int _parallelism;
    private readonly Func<TIn, ProducerRecord<TKey, TValue>> _recordOf;
    private readonly Func<RecordMetadata, ProducerRecord<TKey, TValue>, TIn, TOut>? _onSuccess;
    private readonly Func<Exception, ProducerRecord<TKey, TValue>, TIn, TOut>? _onFailure;
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
    private readonly ActivityContext _parentContext;

    public ProducerStageLogic(
        Shape shape,
        Inlet<TIn> inlet,
        Outlet<TOut>? outlet,
        KafkaProducer<TKey, TValue> producer,
        int parallelism,
        Attributes attributes,
        Func<TIn, ProducerRecord<TKey, TValue>> recordOf,
        Func<RecordMetadata, ProducerRecord<TKey, TValue>, TIn, TOut>? onSuccess,
        Func<Exception, ProducerRecord<TKey, TValue>, TIn, TOut>? onFailure,
        TaskCompletionSource<Done>? completion) : base(shape)
    {
        _in = inlet;
        _out = outlet;
        _producer = producer;
        _parallelism = parallelism;
        _recordOf = recordOf;
        _onSuccess = onSuccess;
        _onFailure = onFailure;
        _completion = completion;
        _runtime = producer.Runtime;
        // Materialization runs on the thread that runs the graph; the stage's own thread carries nobody's context.
        _parentContext = Activity.Current?.Context ?? default;
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
        PullIfRoom();
    }

    /// <summary>Records taken and not yet emitted (or, in the sink, released): appended, or failed and not yet decided on.</summary>
    protected int InFlight => _slots.Count;

    /// <summary>True while a record waits for its topic's metadata or for buffer memory (nothing more is pulled meanwhile).</summary>
    protected bool IsWaiting => _waiting is not null;

    /// <summary>Hook: whether the stage may pull now (besides the parallelism bound).</summary>
    protected virtual bool MayPull => true;

    /// <summary>Hook: a pushed element, before its record is sent. False to keep it back (and <see cref="Send"/> it later) or drop it.</summary>
    protected virtual bool OnElement(TIn element) => true;

    /// <summary>Hook: a record was appended to its batch.</summary>
    protected virtual void OnAppended()
    {
    }

    /// <summary>Hook: whether the head record, complete and successful, may be emitted (or released by the sink) now.</summary>
    protected virtual bool TryRelease() => true;

    /// <summary>Hook: upstream finished and no record waits. False holds completion back (the hook calls <see cref="MaybeComplete"/> later).</summary>
    protected virtual bool OnInputDrained() => true;

    /// <summary>Hook: what to do with a failed record that is not emitted.</summary>
    protected virtual Directive DirectiveFor(Exception error) => _decider(error);

    protected override void OnTimer(object timerKey)
    {
    }

    public void OnPush()
    {
        var element = Grab(_in);
        if (OnElement(element)) Send(element);
    }

    /// <summary>Sends a pushed element's record (appends it, or parks it until metadata or memory is there).</summary>
    protected void Send(TIn element)
    {
        var record = _runtime.Interceptors.OnSend(_recordOf(element));
        var slot = new Slot(element, record, this);
        slot.Completion = ProducerTracing.Source.HasListeners()
            ? ProducerTracing.StartSend(record, slot, _runtime.ClientId, _parentContext, explicitParent: true)!
            : slot;
        _waitDeadline = MonotonicClock.NowMs + _runtime.Settings.MaxBlockMs;
        TrySend(slot);
    }

    public void OnUpstreamFinish() => MaybeComplete();

    public void OnUpstreamFailure(Exception e) => Fail(e);

    public void OnPull() => Emit();

    public virtual void OnDownstreamFinish(Exception cause) => CompleteStage();

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

    private TimeSpan Remaining => TimeSpan.FromMilliseconds(Math.Max(0, _waitDeadline - MonotonicClock.NowMs));

    /// <summary>Appends the record, or parks it until metadata or memory is there.</summary>
    private void TrySend(Slot slot)
    {
        var record = slot.Record;
        var pipeline = _runtime.Pipeline;
        var partition = record.Partition ?? -1;
        try
        {
            pipeline.ThrowIfCannotSend();
            if (!_runtime.Accumulator.TryGetRoute(record.Topic, out var route))
            {
                TopicName.Validate(record.Topic);
                _waiting = slot;
                _producer.Actor.Ask<TopicRoute>(new AwaitRoute(record.Topic, _waitDeadline), Remaining + TimeSpan.FromSeconds(5))
                    .ContinueWith(_onRoute, TaskContinuationOptions.ExecuteSynchronously);
                return;
            }

            pipeline.Prepare(record, route, slot.Completion, out var prepared);
            partition = prepared.Partition;
            var granted = _granted;
            _granted = null;
            if (pipeline.Append(record.Topic, ref prepared, slot.Completion, granted, out var size) == AppendResult.NeedsMemory)
            {
                _waiting = slot;
                _memoryRequest = _runtime.Accumulator.Pool.AllocateAsync(size, Remaining);
                _memoryRequest.ContinueWith(_onMemory, TaskContinuationOptions.ExecuteSynchronously);
                return;
            }
            _waiting = null;
            _slots.Enqueue(slot);
            OnAppended();
            PullIfRoom();
        }
        catch (Exception e)
        {
            // Whatever failed (user code or a bug of ours) fails this record only; memory it was granted goes back.
            ReleaseGranted();
            Failed(slot, e, partition);
        }
    }

    private void OnRoute(Task<TopicRoute> route)
    {
        var slot = _waiting!;
        if (route.IsCompletedSuccessfully) TrySend(slot);
        else Failed(slot, route.Exception?.GetBaseException() is KafkaException k ? k
            : new KafkaTimeoutException($"Topic {slot.Record.Topic} not present in metadata after {_runtime.Settings.MaxBlockMs} ms."), slot.Record.Partition ?? -1);
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
            Failed(slot, memory.Exception?.GetBaseException() ?? new BufferExhaustedException("Buffer memory wait failed."), slot.Record.Partition ?? -1);
        }
    }

    /// <summary>A record that failed before reaching a batch: reported once, then emitted in its place or decided on now.</summary>
    private void Failed(Slot slot, Exception error, int partition)
    {
        _waiting = null;
        if (_onFailure is not null && error is not ProducerClosedException)
        {
            _slots.Enqueue(slot);
            _runtime.Pipeline.FailUnbatched(slot.Record, partition, slot.Completion, error); // completes the slot: Emit follows
            PullIfRoom();
            return;
        }
        _runtime.Pipeline.FailUnbatched(slot.Record, partition, ProducerTracing.WithoutDelivery(slot.Completion), error);
        if (!Decide(error, slot)) return;
        PullIfRoom();
        MaybeComplete();
    }

    /// <summary>Emits finished outcomes in input order while downstream wants them (the sink just drops them).</summary>
    protected void Emit()
    {
        while (_slots.TryPeek(out var head) && head.Done)
        {
            if (head.Error is { } error && (_onFailure is null || error is ProducerClosedException))
            {
                _slots.Dequeue();
                if (!Decide(error, head)) return;
                continue;
            }
            if (_out is null)
            {
                if (!TryRelease()) break;
                _slots.Dequeue();
                continue;
            }
            if (!IsAvailable(_out) || !TryRelease()) break;
            _slots.Dequeue();
            Push(_out, head.Error is { } failure ? _onFailure!(failure, head.Record, head.Element) : _onSuccess!(head.Metadata, head.Record, head.Element));
        }
        PullIfRoom();
        MaybeComplete();
    }

    /// <summary>
    /// True to carry on: Resume and Restart drop the record, with a warning (it is in record-error-total
    /// too), so it never vanishes silently. False after failing the stage.
    /// </summary>
    private bool Decide(Exception error, Slot slot)
    {
        // A closed or fatally failed producer can never succeed again: no point resuming.
        var directive = error is ProducerClosedException ? Directive.Stop : DirectiveFor(error);
        if (directive == Directive.Stop)
        {
            Fail(error);
            return false;
        }
        Log.Warning("A record to topic {0} failed and was dropped, as the supervision strategy says {1}: {2}: {3}",
            slot.Record.Topic, directive, error.GetType().Name, error.Message);
        return true;
    }

    protected void PullIfRoom()
    {
        if (_waiting is null && MayPull && _slots.Count < _parallelism && !IsClosed(_in) && !HasBeenPulled(_in)) Pull(_in);
    }

    protected void MaybeComplete()
    {
        if (!IsClosed(_in) || _waiting is not null || !OnInputDrained() || _slots.Count > 0) return;
        _completion?.TrySetResult(Done.Instance); // before CompleteStage, whose PostStop reports abrupt ends
        CompleteStage();
    }

    /// <summary>Fails the stage (and the sink's task) with <paramref name="error"/>.</summary>
    protected virtual void Fail(Exception error)
    {
        _completion?.TrySetException(error);
        FailStage(error);
    }

    private void ReleaseGranted()
    {
        if (_granted is null) return;
        _runtime.Accumulator.Pool.Deallocate(_granted);
        _granted = null;
    }

    public override void PostStop()
    {
        // Memory granted after the stage stopped never reaches OnMemory (Akka drops the callback): give it back.
        var pool = _runtime.Accumulator.Pool;
        _memoryRequest?.ContinueWith(t => { if (t.IsCompletedSuccessfully) pool.Deallocate(t.Result); }, TaskContinuationOptions.ExecuteSynchronously);
        ReleaseGranted();
        _completion?.TrySetException(new AbruptStageTerminationException(this));
    }
}
