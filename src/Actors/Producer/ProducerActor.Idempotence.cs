using Akka.Actor;
using Akka.Event;
using KafkaActors.Errors;
using KafkaActors.Network;
using KafkaActors.Partition;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors.Producer;

public sealed partial class ProducerActor<TKey, TValue>
{
    private long _producerId = -1;
    private short _epoch = -1;
    private bool _initProducerIdInFlight;
    private int _initProducerIdFailures;

    /// <summary>Asks any broker for a producer id (idempotent producers need no coordinator lookup).</summary>
    private void SendInitProducerId()
    {
        if (_initProducerIdInFlight || _runtime.FatalError is not null) return;
        var broker = _snapshot.Brokers.Keys.OrderBy(id => id).Skip(_initProducerIdFailures % Math.Max(1, _snapshot.Brokers.Count)).FirstOrDefault(-1);
        var connection = broker >= 0 ? ConnectionTo(broker) : null;
        if (connection is null)
        {
            _metadata.Tell(Metadata.MetadataActor.RequestUpdate.Instance);
            return;
        }
        _initProducerIdInFlight = true;
        connection.Tell(new ConnectionActor.Request(new InitProducerIdRequest(null, _runtime.Settings.TransactionTimeoutMs), InitProducerIdToken.Instance, Self));
    }

    private void OnInitProducerId(ConnectionActor.Response response)
    {
        _initProducerIdInFlight = false;
        var parsed = InitProducerIdResponse.Parse(response.Body, response.Version);
        if (parsed.ErrorCode == ErrorCode.None)
        {
            _initProducerIdFailures = 0;
            _producerId = parsed.ProducerId;
            _epoch = parsed.ProducerEpoch;
            _log.Debug("Producer id {0}, epoch {1}", _producerId, _epoch);
            foreach (var partition in _partitions.Values)
                partition.Actor.Tell(new PartitionActor.ProducerIdChanged(_producerId, _epoch, null));
            return;
        }
        var error = ErrorMapping.ToException(parsed.ErrorCode, $"InitProducerId on node {response.NodeId}");
        if (parsed.ErrorCode.IsRetriable()) RetryInitProducerId(error);
        else Fatal(error);
    }

    /// <summary>
    /// Java's bumpIdempotentProducerEpoch: a client-side epoch + 1 (brokers accept it for idempotent
    /// producers), or a new producer id once the epoch would overflow. Requests naming an older epoch
    /// are already satisfied and ignored.
    /// </summary>
    private void OnBumpEpoch(BumpEpoch bump)
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
        _log.Info("Bumping the epoch of producer id {0} to {1} after a sequence gap or lost producer state", _producerId, _epoch);
        foreach (var partition in _partitions.Values)
            partition.Actor.Tell(new PartitionActor.ProducerIdChanged(_producerId, _epoch, null));
    }

    private void OnInitProducerIdFailed(Exception cause)
    {
        _initProducerIdInFlight = false;
        if (cause is ApiException { ErrorCode: ErrorCode.UnsupportedVersion })
            Fatal(new ApiException(ErrorCode.UnsupportedVersion,
                $"The cluster does not support idempotent producers (InitProducerId): {cause.Message} Set enable.idempotence=false to produce without idempotence.", cause));
        else RetryInitProducerId(cause);
    }

    private void RetryInitProducerId(Exception cause)
    {
        _initProducerIdFailures++;
        var backoff = ExponentialBackoff.For(_runtime.Settings.RetryBackoffMs, _runtime.Settings.RetryBackoffMaxMs, _initProducerIdFailures);
        _log.Debug("InitProducerId failed ({0}); retrying in {1} ms", cause.Message, (long)backoff.TotalMilliseconds);
        Timers.StartSingleTimer(nameof(InitProducerIdDue), InitProducerIdDue.Instance, backoff);
    }

    /// <summary>The producer can never send: every queued and future record fails with this error.</summary>
    private void Fatal(Exception error)
    {
        _log.Error(error, "The idempotent producer cannot start");
        _runtime.SetFatal(error);
        foreach (var partition in _partitions.Values) partition.Actor.Tell(new PartitionActor.ProducerIdChanged(-1, -1, error));
        ProcessPending();
    }
}
