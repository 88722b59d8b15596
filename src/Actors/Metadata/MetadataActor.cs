using Akka.Actor;
using Akka.Event;
using KafkaActors.Metrics;
using KafkaActors.Network;
using KafkaActors.Producer;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;

namespace KafkaActors.Metadata;

/// <summary>
/// Owns the producer's view of the cluster (Java's <c>ProducerMetadata</c> + the metadata half of
/// <c>NetworkClient</c>). Keeps one Metadata request in flight at a time, for the topics in use,
/// over its own connection to a bootstrap server or any known broker (rotating after failures).
/// Publishes an immutable <see cref="ClusterSnapshot"/> to its parent after every answer; refreshes
/// on request (stale leader, lost connection), while topics or leaders are missing (every
/// retry.backoff.ms), and at least every metadata.max.age.ms.
/// </summary>
internal sealed partial class MetadataActor : ActorBase, IWithTimers
{
    private const string RefreshTimer = "refresh";

    private readonly IReadOnlyList<BrokerEndpoint> _bootstrap;
    private readonly ConnectionOptions _connectionOptions;
    private readonly ProducerMetrics _metrics;
    private readonly MetadataOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
    private ClusterSnapshot _snapshot = ClusterSnapshot.Empty;
    private IActorRef? _connection;
    private int _targetIndex = -1;
    private int _token;
    private bool _inFlight;
    private bool _wanted = true; // learn the brokers at start
    private int _failures;
    private long _notBeforeMs;

    public MetadataActor(IReadOnlyList<BrokerEndpoint> bootstrap, ConnectionOptions connectionOptions, MetadataOptions options, ProducerMetrics metrics)
    {
        _bootstrap = bootstrap;
        _connectionOptions = connectionOptions;
        _options = options;
        _metrics = metrics;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyList<BrokerEndpoint> bootstrap, ConnectionOptions connectionOptions, MetadataOptions options, ProducerMetrics metrics) =>
        Akka.Actor.Props.Create(() => new MetadataActor(bootstrap, connectionOptions, options, metrics)).WithDispatcher(ProducerDispatcher.Id);

    protected override void PreStart() => TrySend();

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case AddTopics add:
                var added = false;
                foreach (var topic in add.Topics) added |= _topics.Add(topic);
                if (added) Want(immediately: true);
                return true;
            case RequestUpdate:
                Want(immediately: false);
                return true;
            case LeaderHint hint:
                if (_snapshot.WithLeader(hint.Partition, hint.LeaderId, hint.LeaderEpoch, hint.Node) is { } moved)
                {
                    _snapshot = moved;
                    Context.Parent.Tell(new ClusterUpdated(_snapshot));
                }
                return true;
            case RefreshDue:
                _wanted = true;
                TrySend();
                return true;
            case ConnectionActor.Response response when response.Token is int token && token == _token:
                OnResponse(response);
                return true;
            case ConnectionActor.RequestFailed failed when failed.Token is int token && token == _token:
                OnFailure(failed.Cause);
                return true;
            case ConnectionActor.Response or ConnectionActor.RequestFailed or ConnectionActor.StateChanged:
                return true; // stale, or connection news we learn from requests anyway
            default:
                return false;
        }
    }

    private void Want(bool immediately)
    {
        _wanted = true;
        if (immediately && _failures == 0) _notBeforeMs = 0;
        TrySend();
    }

    private void TrySend()
    {
        if (_inFlight || !_wanted) return;
        var now = MonotonicClock.NowMs;
        if (now < _notBeforeMs)
        {
            Timers.StartSingleTimer(RefreshTimer, RefreshDue.Instance, TimeSpan.FromMilliseconds(_notBeforeMs - now));
            return;
        }
        _connection ??= Connect();
        _inFlight = true;
        _wanted = false;
        _connection.Tell(new ConnectionActor.Request(new MetadataRequest(_topics.ToArray(), _options.AllowAutoTopicCreation), ++_token, Self));
    }

    private IActorRef Connect()
    {
        // Known brokers first; the bootstrap list until we know any (and when all known ones failed).
        var candidates = _snapshot.Brokers.Count > 0 && _failures < _snapshot.Brokers.Count
            ? _snapshot.Brokers.Values.OrderBy(b => b.NodeId).Select(b => new BrokerEndpoint(b.NodeId, b.Host, b.Port)).ToList()
            : _bootstrap;
        _targetIndex = (_targetIndex + 1) % candidates.Count;
        var target = candidates[_targetIndex];
        return Context.ActorOf(ConnectionActor.Props(target, _connectionOptions, _metrics), $"metadata-connection-{_token + 1}");
    }

    private void OnResponse(ConnectionActor.Response response)
    {
        _inFlight = false;
        MetadataResponse parsed;
        try
        {
            parsed = MetadataResponse.Parse(response.Body, response.Version);
        }
        catch (Exception e)
        {
            OnFailure(new Errors.NetworkException($"Malformed Metadata response from node {response.NodeId}: {e.Message}", e));
            return;
        }
        _failures = 0;
        _snapshot = _snapshot.Update(parsed, _topics);
        Context.Parent.Tell(new ClusterUpdated(_snapshot));

        // Keep asking while a topic we need is missing or a partition has no leader.
        var incomplete = _topics.Any(topic => !_snapshot.Topics.TryGetValue(topic, out var info)
                                              || (info.Error != ErrorCode.None && info.Error.IsRetriable())
                                              || info.Partitions.Any(p => p.Leader < 0));
        _notBeforeMs = MonotonicClock.NowMs + _options.RetryBackoffMs;
        if (incomplete) _wanted = true;
        if (_wanted) TrySend();
        else Timers.StartSingleTimer(RefreshTimer, RefreshDue.Instance, TimeSpan.FromMilliseconds(_options.MaxAgeMs));
    }

    private void OnFailure(Exception cause)
    {
        _inFlight = false;
        _failures++;
        _log.Debug("Metadata request failed ({0} in a row): {1}", _failures, cause.Message);
        Context.Parent.Tell(new MetadataFailed(cause));
        if (_connection is not null) Context.Stop(_connection);
        _connection = null;
        _wanted = true;
        _notBeforeMs = MonotonicClock.NowMs + (long)ExponentialBackoff.For(_options.RetryBackoffMs, _options.RetryBackoffMaxMs, _failures).TotalMilliseconds;
        TrySend();
    }
}

/// <summary>The settings the metadata actor needs.</summary>
internal sealed record MetadataOptions(long MaxAgeMs, long RetryBackoffMs, long RetryBackoffMaxMs, bool AllowAutoTopicCreation);
