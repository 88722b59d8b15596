using Akka.Actor;
using Akka.Event;
using KafkaActors.Errors;
using KafkaActors.Metadata;
using KafkaActors.Network;
using KafkaActors.Partition;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors.Producer;

/// <summary>What <see cref="ProducerIdManager{TKey,TValue}"/> asks of the ProducerActor.</summary>
internal interface IProducerIdHost
{
    ClusterSnapshot Snapshot { get; }

    /// <summary>The connection to a broker (null when its address is unknown).</summary>
    IActorRef? ConnectionTo(int nodeId);

    void RequestMetadataUpdate();

    /// <summary>Tells every partition actor.</summary>
    void TellPartitions(object message);

    /// <summary>The producer can never send: records waiting fail now.</summary>
    void OnFatal();
}

/// <summary>
/// The idempotent producer's id and epoch (the idempotence half of Java's <c>TransactionManager</c>):
/// obtains them with InitProducerId from any broker, retries with backoff, bumps the epoch when a partition
/// asks, and tells every partition actor. A ProducerActor handler: owned by that actor, not thread-safe.
/// </summary>
internal sealed class ProducerIdManager<TKey, TValue>(ProducerRuntime<TKey, TValue> runtime, IProducerIdHost host, IActorRef self, ITimerScheduler timers, ILoggingAdapter log)
{
    private long _producerId = -1;
    private short _epoch = -1;
    private bool _inFlight;
    private int _failures;

    /// <summary>What a partition actor created now is told first, or null while there is no producer id (nor a fatal error).</summary>
    public PartitionActor.ProducerIdChanged? ForNewPartition() =>
        _producerId >= 0 ? new PartitionActor.ProducerIdChanged(_producerId, _epoch, null)
        : runtime.FatalError is { } fatal ? new PartitionActor.ProducerIdChanged(-1, -1, fatal)
        : null;

    /// <summary>Metadata arrived: the first brokers are there to ask (a transactional producer's id comes from InitTransactions instead).</summary>
    public void OnCluster(ClusterSnapshot snapshot)
    {
        if (runtime.Settings.EnableIdempotence && !runtime.Settings.IsTransactional && _producerId < 0 && !_inFlight && snapshot.Brokers.Count > 0) SendInitProducerId();
    }

    /// <summary>Asks any broker for a producer id (idempotent producers need no coordinator lookup).</summary>
    public void SendInitProducerId()
    {
        if (_inFlight || runtime.FatalError is not null) return;
        var brokers = host.Snapshot.Brokers;
        var broker = brokers.Keys.OrderBy(id => id).Skip(_failures % Math.Max(1, brokers.Count)).FirstOrDefault(-1);
        var connection = broker >= 0 ? host.ConnectionTo(broker) : null;
        if (connection is null)
        {
            host.RequestMetadataUpdate();
            return;
        }
        _inFlight = true;
        connection.Tell(new ConnectionActor.Request(new InitProducerIdRequest(null, runtime.Settings.TransactionTimeoutMs), InitProducerIdToken.Instance, self));
    }

    public void OnResponse(ConnectionActor.Response response)
    {
        _inFlight = false;
        var parsed = InitProducerIdResponse.Parse(response.Body, response.Version);
        if (parsed.ErrorCode == ErrorCode.None)
        {
            _failures = 0;
            _producerId = parsed.ProducerId;
            _epoch = parsed.ProducerEpoch;
            log.Debug("Producer id {0}, epoch {1}", _producerId, _epoch);
            host.TellPartitions(new PartitionActor.ProducerIdChanged(_producerId, _epoch, null));
            return;
        }
        var error = ErrorMapping.ToException(parsed.ErrorCode, $"InitProducerId on node {response.NodeId}");
        if (parsed.ErrorCode.IsRetriable()) Retry(error);
        else Fatal(error);
    }

    public void OnRequestFailed(Exception cause)
    {
        _inFlight = false;
        if (cause is ApiException { ErrorCode: ErrorCode.UnsupportedVersion })
            Fatal(new ApiException(ErrorCode.UnsupportedVersion,
                $"The cluster does not support idempotent producers (InitProducerId): {cause.Message} Set enable.idempotence=false to produce without idempotence.", cause));
        else Retry(cause);
    }

    /// <summary>
    /// Java's bumpIdempotentProducerEpoch: a client-side epoch + 1 (brokers accept it for idempotent
    /// producers), or a new producer id once the epoch would overflow. Requests naming an older epoch
    /// are already satisfied and ignored.
    /// </summary>
    public void OnBumpEpoch(BumpEpoch bump)
    {
        if (bump.ProducerId != _producerId || bump.Epoch != _epoch) return;
        if (_epoch == short.MaxValue)
        {
            _producerId = -1;
            _epoch = -1;
            SendInitProducerId();
            return;
        }
        _epoch++;
        log.Info("Bumping the epoch of producer id {0} to {1} after a sequence gap or lost producer state", _producerId, _epoch);
        host.TellPartitions(new PartitionActor.ProducerIdChanged(_producerId, _epoch, null));
    }

    /// <summary>The transaction coordinator's producer id and epoch (InitTransactions, or an abort's epoch bump).</summary>
    public void Adopt(long producerId, short epoch)
    {
        _producerId = producerId;
        _epoch = epoch;
        host.TellPartitions(new PartitionActor.ProducerIdChanged(_producerId, _epoch, null));
    }

    private void Retry(Exception cause)
    {
        _failures++;
        var backoff = ExponentialBackoff.For(runtime.Settings.RetryBackoffMs, runtime.Settings.RetryBackoffMaxMs, _failures);
        log.Debug("InitProducerId failed ({0}); retrying in {1} ms", cause.Message, (long)backoff.TotalMilliseconds);
        timers.StartSingleTimer(nameof(InitProducerIdDue), InitProducerIdDue.Instance, backoff);
    }

    /// <summary>The producer can never send: every waiting and future record fails with this error.</summary>
    public void Fatal(Exception error)
    {
        if (!runtime.Settings.IsTransactional) log.Error(error, "The idempotent producer cannot start");
        runtime.SetFatal(error);
        host.TellPartitions(new PartitionActor.ProducerIdChanged(-1, -1, error));
        host.OnFatal();
    }
}
