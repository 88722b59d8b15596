using Akka.Actor;
using Akka.Streams.Stage;
using Akka.Streams.Supervision;
using Akka.Streams;
using Decider = Akka.Streams.Supervision.Decider;
using Directive = Akka.Streams.Supervision.Directive;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Producer;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors.Streams;

/// <summary>
/// The producing stage behind <see cref="KafkaFlow"/> and <see cref="KafkaSink"/>. Holds only its
/// configuration; <see cref="Logic"/> owns all mutable state. Each pushed record goes through the
/// producer's send path on the stage's own thread, without blocking: when metadata or buffer memory
/// is missing, the record waits (asynchronously) and nothing more is pulled until it is appended.
/// At most <c>parallelism</c> records are unacknowledged; results leave in input order.
/// </summary>
internal sealed class KafkaProducerStage<TKey, TValue, TPassThrough>(KafkaProducer<TKey, TValue> producer, int parallelism)
    : GraphStage<FlowShape<ProducerMessage<TKey, TValue, TPassThrough>, ProducerResult<TKey, TValue, TPassThrough>>>
{
    private readonly KafkaProducer<TKey, TValue> _producer = producer;
    private readonly int _parallelism = parallelism > 0 ? parallelism : throw new ArgumentOutOfRangeException(nameof(parallelism), "Must be positive.");
    private readonly Inlet<ProducerMessage<TKey, TValue, TPassThrough>> _in = new("KafkaProducer.in");
    private readonly Outlet<ProducerResult<TKey, TValue, TPassThrough>> _out = new("KafkaProducer.out");

    public override FlowShape<ProducerMessage<TKey, TValue, TPassThrough>, ProducerResult<TKey, TValue, TPassThrough>> Shape => new(_in, _out);

    protected override Attributes InitialAttributes => Attributes.CreateName("KafkaProducer");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, inheritedAttributes);

    /// <summary>One record on its way: filled in by the partition actor, read by the stage once <see cref="Done"/>.</summary>
    private sealed class Slot(ProducerMessage<TKey, TValue, TPassThrough> message, ProducerRecord<TKey, TValue> record, Logic logic) : IDeliveryCallback
    {
        private int _done;

        public ProducerMessage<TKey, TValue, TPassThrough> Message { get; } = message;
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

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly KafkaProducerStage<TKey, TValue, TPassThrough> _stage;
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

        public Logic(KafkaProducerStage<TKey, TValue, TPassThrough> stage, Attributes attributes) : base(stage.Shape)
        {
            _stage = stage;
            _runtime = stage._producer.Runtime;
            _decider = attributes.GetAttribute<ActorAttributes.SupervisionStrategy>(null)?.Decider ?? Deciders.StoppingDecider;
            _onCompletions = GetAsyncCallback(OnCompletions);
            _onRoute = GetAsyncCallback<Task<TopicRoute>>(OnRoute);
            _onMemory = GetAsyncCallback<Task<byte[]>>(OnMemory);
            SetHandlers(stage._in, stage._out, this);
        }

        public override void PreStart() => Pull(_stage._in);

        public override void OnPush()
        {
            var message = Grab(_stage._in);
            var record = _runtime.Interceptors.OnSend(message.Record);
            var slot = new Slot(message, record, this);
            _waitDeadline = MonotonicClock.NowMs + _runtime.Settings.MaxBlockMs;
            TrySend(slot);
        }

        public override void OnUpstreamFinish() => MaybeComplete();

        public override void OnPull() => Emit();

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
                    _stage._producer.Actor.Ask<TopicRoute>(new AwaitRoute(record.Topic, _waitDeadline), remaining + TimeSpan.FromSeconds(5))
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

        /// <summary>Emits finished results in input order while downstream wants them.</summary>
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
                if (!IsAvailable(_stage._out)) break;
                _slots.Dequeue();
                Push(_stage._out, new ProducerResult<TKey, TValue, TPassThrough>(head.Metadata, head.Record, head.Message.PassThrough));
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
            FailStage(error);
            return false;
        }

        private void PullIfRoom()
        {
            if (_waiting is null && _slots.Count < _stage._parallelism && !IsClosed(_stage._in) && !HasBeenPulled(_stage._in)) Pull(_stage._in);
        }

        private void MaybeComplete()
        {
            if (IsClosed(_stage._in) && _waiting is null && _slots.Count == 0) CompleteStage();
        }

        public override void PostStop()
        {
            // Memory granted after the stage stopped never reaches OnMemory (Akka drops the callback): give it back.
            var pool = _runtime.Accumulator.Pool;
            _memoryRequest?.ContinueWith(t => { if (t.IsCompletedSuccessfully) pool.Deallocate(t.Result); }, TaskContinuationOptions.ExecuteSynchronously);
            if (_granted is not null) _runtime.Accumulator.Pool.Deallocate(_granted);
            _granted = null;
        }
    }
}
