using Akka.Actor;
using Akka.Event;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Metadata;
using KafkaActors.Network;
using KafkaActors.Partition;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors.Producer;

/// <summary>
/// The producer's root actor: a thin parent that validates, routes and supervises, holding no
/// sockets and no record bytes (Akka.IO's TcpManager is the model). Its children are the
/// <see cref="MetadataActor"/>, one <see cref="ConnectionActor"/> per broker, shared by produce and metadata
/// (<see cref="BrokerConnections"/>, plus bootstrap ones until the brokers are known), and one
/// <see cref="PartitionActor"/> per partition in use.
///
/// It turns metadata into routes (partition accumulators + actors, published for senders to read
/// without asking) and tells partition actors who leads them (ProducerActor.Routes.cs). Handler
/// objects it owns do the rest: <see cref="SendQueues{TKey,TValue}"/> serves records told to it
/// (<see cref="Produce{TKey,TValue}"/>) and facade records that must wait, in the order they arrive per
/// topic, each queue's head asking the MetadataActor for its topic's route when it has none; waits for a route
/// (<see cref="AwaitRoute"/>) are forwarded to the MetadataActor, which answers them;
/// <see cref="ProducerIdManager{TKey,TValue}"/> obtains the idempotent producer id and epoch.
/// </summary>
public sealed partial class ProducerActor<TKey, TValue> : ActorBase, IWithTimers, ITopicRouting, IProducerIdHost
{
    private readonly ProducerRuntime<TKey, TValue> _runtime;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ConnectionOptions _connectionOptions;
    private IActorRef _metadata = ActorRefs.Nobody;
    private BrokerConnections _connections = null!;
    private PartitionContext _partitionContext = null!;
    private ProducerIdManager<TKey, TValue> _producerIds = null!;

    internal ProducerActor(ProducerRuntime<TKey, TValue> runtime)
    {
        _runtime = runtime;
        _connectionOptions = ConnectionOptions.From(runtime.Settings, runtime.ClientId);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    internal static Props Props(ProducerRuntime<TKey, TValue> runtime) =>
        FactoryProducer<ProducerActor<TKey, TValue>>.Props(() => new ProducerActor<TKey, TValue>(runtime)).WithDispatcher(ProducerDispatcher.Id);

    private RecordAccumulator Accumulator => _runtime.Accumulator;

    protected override void PreStart()
    {
        var settings = _runtime.Settings;
        var bootstrap = settings.BootstrapServers.Select((server, i) => BrokerEndpoint.Parse(-(i + 1), server)).ToList();
        var metadataOptions = new MetadataOptions(settings.MetadataMaxAgeMs, settings.RetryBackoffMs, settings.RetryBackoffMaxMs, settings.AllowAutoCreateTopics,
            settings.MaxBlockMs, settings.BootstrapServers);
        _connections = new BrokerConnections(Context, _connectionOptions, _runtime.Metrics);
        _metadata = Context.ActorOf(MetadataActor.Props(bootstrap, metadataOptions), "metadata");
        _partitionContext = new PartitionContext(Accumulator, _runtime.Metrics, _runtime.AcknowledgementInterceptor, _metadata);
        _sendQueues = new SendQueues<TKey, TValue>(_runtime, this, Self);
        _producerIds = new ProducerIdManager<TKey, TValue>(_runtime, this, Self, Timers, _log);
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case ProducerRecord<TKey, TValue> record:
                OnProduce(record, Sender, acknowledge: true, null);
                return true;
            case Produce<TKey, TValue> produce:
                OnProduce(produce.Record, Sender, produce.Acknowledge, produce.Correlation);
                return true;
            case WaitingSend<TKey, TValue> send:
                OnWaitingSend(send);
                return true;
            case KafkaActors.Flush:
                _sendQueues.Flush(Sender);
                return true;
            case AwaitRoute await:
                OnAwaitRoute(await);
                return true;
            case DescribeTopic describe:
                Sender.Tell(_snapshot.Topics.TryGetValue(describe.Topic, out var info) ? info.Partitions : Array.Empty<PartitionInfo>());
                return true;
            case MetadataActor.ClusterUpdated updated:
                OnCluster(updated.Snapshot);
                return true;
            case MetadataActor.MetadataFailed failed:
                OnMetadataFailed(failed.Cause);
                return true;
            case BrokerConnections.SendTo send:
                _connections.OnSendTo(send, _snapshot);
                return true;
            case BrokerConnections.ReleaseBootstrap:
                _connections.OnReleaseBootstrap();
                return true;
            case ConnectionActor.StateChanged state:
                OnConnectionState(state);
                return true;
            case ConnectionActor.Response { Token: InitProducerIdToken } response:
                _producerIds.OnResponse(response);
                return true;
            case ConnectionActor.RequestFailed { Token: InitProducerIdToken } failed:
                _producerIds.OnRequestFailed(failed.Cause);
                return true;
            case BumpEpoch bump:
                _producerIds.OnBumpEpoch(bump);
                return true;
            case InitProducerIdDue:
                _producerIds.SendInitProducerId();
                return true;
            case MemoryGranted granted:
                _sendQueues.OnMemoryGranted(granted);
                SignalReady();
                return true;
            case MemoryDenied denied:
                _sendQueues.OnMemoryDenied(denied);
                SignalReady();
                return true;
            case RouteReady ready:
                _sendQueues.OnRouteReady(ready);
                SignalReady();
                return true;
            case RouteDenied denied:
                _sendQueues.OnRouteDenied(denied);
                SignalReady();
                return true;
            case Close close:
                OnClose(close, Sender);
                return true;
            case CloseFlushed:
                OnCloseFlushed();
                return true;
            case Flushed:
                OnCloseBarrierPassed(); // the close barrier (our own Flush) passed every queue
                return true;
            case Status.Failure:
                return true; // the close barrier, failed by the abort: closing goes on without it
            case CloseTimerElapsed elapsed:
                OnCloseTimer(elapsed.Phase);
                return true;
            case ConnectionActor.Closed:
                OnConnectionClosed();
                return true;
            default:
                return false;
        }
    }

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
