using Akka.Actor;
using Akka.Event;
using KafkaActors.Errors;
using KafkaActors.Metadata;
using KafkaActors.Network;
using KafkaActors.Partition;
using KafkaActors.Transactions;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors.Producer;

/// <summary>
/// The producer's root actor: a thin parent that owns its handlers, routes messages to them and supervises,
/// holding no sockets and no record bytes (Akka.IO's TcpManager is the model). Its children are the
/// <see cref="MetadataActor"/>, one <see cref="ConnectionActor"/> per broker, shared by produce and metadata
/// (<see cref="BrokerConnections"/>, plus bootstrap ones until the brokers are known), and one
/// <see cref="PartitionActor"/> per partition in use.
///
/// Its handlers, composed as Akka.IO's TcpConnection composes its own: <see cref="TopicRoutes"/> turns metadata
/// into routes and tells partition actors who leads them; <see cref="ToldRecords{TKey,TValue}"/> takes records told
/// to it (<see cref="Produce{TKey,TValue}"/>) and tells their senders BufferFull and Ready;
/// <see cref="SendQueues{TKey,TValue}"/> serves told records and facade records that must wait, in the order they
/// arrive per topic, each queue's head asking the MetadataActor for its topic's route when it has none (waits for a
/// route, <see cref="AwaitRoute"/>, are forwarded to the MetadataActor, which answers them);
/// <see cref="ProducerIdManager{TKey,TValue}"/> obtains the idempotent producer id and epoch;
/// <see cref="ProducerCloser{TKey,TValue}"/> drives <see cref="Close"/> through its phases;
/// <see cref="TransactionManager"/> (with a transactional.id) runs transactions, and a Close with a
/// transaction open aborts it first, as Java's producer does.
/// </summary>
public sealed class ProducerActor<TKey, TValue> : ActorBase, IWithTimers, IProducerIdHost, IProducerCloseHost, ITransactionHost
{
    private const string CloseAbortTimer = "close-abort";
    private readonly ProducerRuntime<TKey, TValue> _runtime;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ConnectionOptions _connectionOptions;
    private IActorRef _metadata = ActorRefs.Nobody;
    private BrokerConnections _connections = null!;
    private TopicRoutes _routes = null!;
    private SendQueues<TKey, TValue> _sendQueues = null!;
    private ToldRecords<TKey, TValue> _toldRecords = null!;
    private ProducerIdManager<TKey, TValue> _producerIds = null!;
    private ProducerCloser<TKey, TValue> _closer = null!;
    private TransactionManager? _transactions;
    private CloseAfterAbort? _closeAfterAbort;
    private bool _closeReceived;

    internal ProducerActor(ProducerRuntime<TKey, TValue> runtime)
    {
        _runtime = runtime;
        _connectionOptions = ConnectionOptions.From(runtime.Settings, runtime.ClientId, runtime.Accumulator.Pool.Limit);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    internal static Props Props(ProducerRuntime<TKey, TValue> runtime) =>
        FactoryProducer<ProducerActor<TKey, TValue>>.Props(() => new ProducerActor<TKey, TValue>(runtime)).WithDispatcher(ProducerDispatcher.Id);

    protected override void PreStart()
    {
        var settings = _runtime.Settings;
        var bootstrap = settings.BootstrapServers.Select((server, i) => BrokerEndpoint.Parse(-(i + 1), server)).ToList();
        var metadataOptions = MetadataOptions.From(settings);
        _connections = new BrokerConnections(Context, _connectionOptions, _runtime.Metrics);
        _metadata = Context.ActorOf(MetadataActor.Props(bootstrap, metadataOptions), "metadata");
        var partitionContext = new PartitionContext(_runtime.Accumulator, _runtime.Metrics, _runtime.AcknowledgementInterceptor, _metadata, _runtime.OnCallbackError);
        _producerIds = new ProducerIdManager<TKey, TValue>(_runtime, this, Self, Timers, _log);
        _routes = new TopicRoutes(_runtime.Accumulator, Context, partitionContext, _metadata, _connections, _producerIds.ForNewPartition);
        _sendQueues = new SendQueues<TKey, TValue>(_runtime, _routes, Self);
        _toldRecords = new ToldRecords<TKey, TValue>(_runtime, _sendQueues, Context.System.DeadLetters);
        _closer = new ProducerCloser<TKey, TValue>(_runtime, this, Context, Timers, _log);
        if (_runtime.Transactions is { } machine)
            _transactions = new TransactionManager(settings, machine, this, Self, Timers, _log);
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case ProducerRecord<TKey, TValue> record:
                _toldRecords.OnProduce(record, Sender, acknowledge: true, null, default); // a bare record carries no context: a root span
                return true;
            case Produce<TKey, TValue> produce:
                _toldRecords.OnProduce(produce.Record, Sender, produce.Acknowledge, produce.Correlation, produce.ParentContext);
                return true;
            case WaitingSend<TKey, TValue> send:
                _sendQueues.Add(send);
                _toldRecords.SignalReady();
                return true;
            case KafkaActors.Flush:
                _sendQueues.Flush(Sender);
                return true;
            case AwaitRoute await:
                _routes.OnAwaitRoute(await, Sender);
                return true;
            case DescribeTopic describe:
                Sender.Tell(_routes.PartitionsFor(describe.Topic));
                return true;
            case MetadataActor.ClusterUpdated updated:
                _routes.OnCluster(updated.Snapshot);
                _producerIds.OnCluster(updated.Snapshot);
                _transactions?.OnCluster();
                ProcessPending();
                return true;
            case MetadataActor.TopicsForgotten forgotten:
                _routes.OnTopicsForgotten(forgotten.Topics);
                return true;
            case MetadataActor.MetadataFailed failed:
                _routes.OnMetadataFailed(failed.Cause);
                // A failed authentication refuses at once the records that have no route yet.
                if (failed.Cause is AuthenticationException) ProcessPending();
                return true;
            case BrokerConnections.SendTo send:
                _connections.OnSendTo(send, _routes.Snapshot);
                return true;
            case BrokerConnections.ReleaseBootstrap:
                _connections.OnReleaseBootstrap();
                return true;
            case ConnectionActor.StateChanged state:
                // A lost broker may mean moved leaders: Java refreshes metadata on every disconnect.
                if (!state.Ready) _routes.RequestMetadataUpdate();
                return true;
            case ConnectionActor.Response { Token: InitProducerIdToken } response:
                _producerIds.OnResponse(response);
                return true;
            case ConnectionActor.RequestFailed { Token: InitProducerIdToken } failed:
                _producerIds.OnRequestFailed(failed.Cause);
                return true;
            case BumpEpoch bump when _transactions is not null:
                _transactions.OnEpochBumpRequested(bump.ProducerId, bump.Epoch);
                return true;
            case BumpEpoch bump:
                _producerIds.OnBumpEpoch(bump);
                return true;
            case InitProducerIdDue:
                _producerIds.SendInitProducerId();
                return true;
            case MemoryGranted granted:
                _sendQueues.OnMemoryGranted(granted);
                _toldRecords.SignalReady();
                return true;
            case MemoryDenied denied:
                _sendQueues.OnMemoryDenied(denied);
                _toldRecords.SignalReady();
                return true;
            case RouteReady ready:
                _sendQueues.OnRouteReady(ready);
                _toldRecords.SignalReady();
                return true;
            case RouteDenied denied:
                _sendQueues.OnRouteDenied(denied);
                _toldRecords.SignalReady();
                return true;
            case Close close:
                OnClose(close);
                return true;
            case CloseAbortElapsed:
                ContinueClose();
                return true;
            case TransactionAborted or TransactionCommitted or TransactionFailed when _closeAfterAbort is not null && Sender.Equals(Self):
                ContinueClose();
                return true;
            case CloseFlushed:
                _closer.OnCloseFlushed();
                return true;
            case Flushed:
                _closer.OnCloseBarrierPassed(); // the close barrier (our own Flush) passed every queue
                return true;
            case Status.Failure:
                return true; // the close barrier, failed by the abort: closing goes on without it
            case CloseTimerElapsed elapsed:
                _closer.OnCloseTimer(elapsed.Phase);
                return true;
            case ConnectionActor.Closed:
                _closer.OnConnectionClosed();
                return true;
            default:
                return ReceiveTransactional(message);
        }
    }

    private bool ReceiveTransactional(object message)
    {
        if (_transactions is not { } transactions)
        {
            if (message is not (InitTransactions or BeginTransaction or SendOffsetsToTransaction or CommitTransaction or AbortTransaction)) return false;
            Sender.Tell(new TransactionFailed(new KafkaException("Transactional method invoked on a non-transactional producer: set transactional.id.")));
            return true;
        }
        switch (message)
        {
            case InitTransactions:
                transactions.OnInitTransactions(Sender);
                return true;
            case BeginTransaction:
                transactions.OnBeginTransaction(Sender);
                return true;
            case SendOffsetsToTransaction offsets:
                transactions.OnSendOffsets(offsets, Sender);
                return true;
            case CommitTransaction:
                transactions.OnCommit(Sender);
                return true;
            case AbortTransaction:
                transactions.OnAbort(Sender);
                return true;
            case AddPartitionToTransaction add:
                transactions.OnAddPartition(add.Partition, Sender);
                return true;
            case TransactionBatchFailed failed:
                transactions.OnBatchFailed(failed.Cause);
                return true;
            case TransactionManager.TransactionFlushed flushed:
                transactions.OnFlushed(flushed);
                return true;
            case TransactionManager.TransactionRetryDue:
                transactions.OnRetryDue();
                return true;
            case ConnectionActor.Response { Token: TransactionManager.TransactionRequestToken } response:
                transactions.OnResponse(response);
                return true;
            case ConnectionActor.RequestFailed { Token: TransactionManager.TransactionRequestToken } failed:
                transactions.OnRequestFailed(failed);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Close; with a transaction open, abort it first (bounded by the close timeout), then close.</summary>
    private void OnClose(Close close)
    {
        if (_closeAfterAbort is { } pending)
        {
            pending.Requesters.Add(Sender);
            return;
        }
        // Not _runtime.IsClosing: the facade sets that before it sends Close, and the transaction must still be aborted.
        var first = !_closeReceived;
        _closeReceived = true;
        if (first && _transactions is { } transactions && transactions.AbortForClose(Self))
        {
            _runtime.BeginClose(); // new records fail at once
            _closeAfterAbort = new CloseAfterAbort(MonotonicClock.NowMs + (long)Math.Max(0, close.Timeout.TotalMilliseconds), [Sender]);
            Timers.StartSingleTimer(CloseAbortTimer, CloseAbortElapsed.Instance, close.Timeout < TimeSpan.Zero ? TimeSpan.Zero : close.Timeout);
            return;
        }
        _closer.OnClose(close, Sender);
    }

    private void ContinueClose()
    {
        if (_closeAfterAbort is not { } pending) return;
        _closeAfterAbort = null;
        Timers.Cancel(CloseAbortTimer);
        var remaining = new Close(TimeSpan.FromMilliseconds(Math.Max(0, pending.DeadlineMs - MonotonicClock.NowMs)));
        foreach (var requester in pending.Requesters) _closer.OnClose(remaining, requester);
    }

    /// <summary>A Close waiting for the open transaction's abort: when it must go on, and who asked.</summary>
    private sealed record CloseAfterAbort(long DeadlineMs, List<IActorRef> Requesters);

    private sealed class CloseAbortElapsed : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly CloseAbortElapsed Instance = new();
    }

    /// <summary>Records waiting may go now (metadata, a failed authentication or a fatal error changed what they wait for).</summary>
    private void ProcessPending()
    {
        _sendQueues.ProcessAll();
        _toldRecords.SignalReady();
    }

    private void FailPending(Exception cause)
    {
        _sendQueues.FailAll(cause);
        _toldRecords.SignalReady();
    }

    ClusterSnapshot IProducerIdHost.Snapshot => _routes.Snapshot;

    IActorRef? IProducerIdHost.ConnectionTo(int nodeId) => _routes.ConnectionTo(nodeId);

    void IProducerIdHost.RequestMetadataUpdate() => _routes.RequestMetadataUpdate();

    void IProducerIdHost.TellPartitions(object message) => _routes.TellPartitions(message);

    void IProducerIdHost.OnFatal() => ProcessPending();

    void IProducerCloseHost.FlushSendQueues() => _sendQueues.Flush(Self);

    void ITransactionHost.FlushAll(object reply) => _sendQueues.Flush(Self, reply, survivesFailure: true);

    void ITransactionHost.FailWaitingSends(Exception cause) => FailPending(cause);

    void ITransactionHost.AdoptProducerId(long producerId, short epoch) => _producerIds.Adopt(producerId, epoch);

    void ITransactionHost.Fatal(Exception error) => _producerIds.Fatal(error);

    void IProducerCloseHost.FailPending(Exception cause) => FailPending(cause);

    void IProducerCloseHost.FailRouteWaiters(Exception cause) => _routes.FailRouteWaiters(cause);

    void IProducerCloseHost.TellPartitions(object message) => _routes.TellPartitions(message);

    int IProducerCloseHost.CloseConnections() => _connections.ShutdownAll(Self);

    /// <summary>
    /// A bug in one message must not restart this actor: a restart would drop the routes and connections
    /// every sender relies on. Log it and carry on; children do the same through <see cref="SupervisorStrategy"/>.
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception e)
        {
            _log.Error(e, "Unexpected error handling {0}; carrying on", message.GetType().Name);
            return true;
        }
    }

    /// <summary>
    /// Children resume after an unexpected exception (Akka logs it): restarting a partition actor would
    /// lose its batches in flight, restarting the metadata actor its cluster view.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(Akka.Actor.Decider.From(Directive.Resume));

    protected override void PostStop()
    {
        _connectionOptions.Sasl?.Dispose();
        var stopped = new ProducerClosedException("The producer stopped before the record was sent.");
        FailPending(stopped); // the MetadataActor, a child, fails its route waiters as it stops
    }
}
