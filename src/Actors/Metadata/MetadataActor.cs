using Akka.Actor;
using Akka.Event;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Network;
using KafkaActors.Producer;
using static KafkaActors.Producer.ProducerActorMessages;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;
using KafkaActors.Settings;

namespace KafkaActors.Metadata;

/// <summary>
/// Owns the producer's view of the cluster (Java's <c>ProducerMetadata</c> + the metadata half of
/// <c>NetworkClient</c>). Keeps one Metadata request in flight at a time, for the topics in use, to a
/// known broker over that broker's shared connection, or to a bootstrap address until the brokers are
/// known (and again when <see cref="MetadataRecovery"/> rebootstraps), rotating to the next after a failure.
/// Topics not sent to for metadata.max.idle.ms are forgotten (<see cref="TopicsForgotten"/>), as Java's
/// <c>ProducerMetadata</c> does. With client.dns.lookup = resolve_canonical_bootstrap_servers_only the bootstrap
/// servers are first resolved to their canonical host names (<see cref="BootstrapResolver"/>). The connections
/// are its parent's (<see cref="BrokerConnections"/>): requests go out as <see cref="BrokerConnections.SendTo"/>,
/// answers come back here, and the bootstrap connections are released once brokers are known.
/// Publishes an immutable <see cref="ClusterSnapshot"/> to its parent after every answer; refreshes
/// on request (stale leader, lost connection), while topics or leaders are missing (every
/// retry.backoff.ms), and at least every metadata.max.age.ms.
///
/// It answers the metadata wait (Java's <c>waitOnMetadata</c>): an <see cref="AwaitRoute"/>, asked through the
/// ProducerActor (which starts using the topic first) or by it for a queued record, is answered with the topic's
/// route, or failed at its max.block.ms deadline, at once for a topic the broker refuses (authorization, invalid
/// name) and for all on a failed authentication. Routes (partition actors) are the ProducerActor's children, so
/// it builds them from each <see cref="ClusterUpdated"/> and tells this actor <see cref="RoutesPublished"/>: a
/// waiter is answered only once its route is there to append to.
/// </summary>
internal sealed partial class MetadataActor : ActorBase, IWithTimers
{
    private const string RefreshTimer = "refresh";

    private IReadOnlyList<BrokerEndpoint> _bootstrap;
    private readonly MetadataOptions _options;
    private readonly MetadataRecovery _recovery;
    private readonly Dictionary<string, long> _topicAddedMs = new(StringComparer.Ordinal);
    private bool _bootstrapResolved;
    private int _resolveFailures;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TopicRoute> _routes = new(StringComparer.Ordinal);
    private RouteWaiters _waiters = null!;
    private Exception? _lastError;
    private ClusterSnapshot _snapshot = ClusterSnapshot.Empty;
    private BrokerEndpoint? _target;
    private int _targetIndex = -1;
    private int _token;
    private bool _inFlight;
    private bool _wanted = true; // learn the brokers at start
    private int _failures;
    private long _notBeforeMs;
    private bool _newTopicsWaiting; // topics added while a request without them was in flight

    public MetadataActor(IReadOnlyList<BrokerEndpoint> bootstrap, MetadataOptions options)
    {
        _bootstrap = bootstrap;
        _options = options;
        _recovery = new MetadataRecovery(options.RecoveryStrategy, options.RebootstrapTriggerMs);
        _bootstrapResolved = options.DnsLookup != ClientDnsLookup.ResolveCanonicalBootstrapServersOnly;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyList<BrokerEndpoint> bootstrap, MetadataOptions options) =>
        Akka.Actor.Props.Create(() => new MetadataActor(bootstrap, options)).WithDispatcher(ProducerDispatcher.Id);

    protected override void PreStart()
    {
        _waiters = new RouteWaiters(Timers);
        Timers.StartPeriodicTimer(nameof(AdvanceCoarseClock), AdvanceCoarseClock.Instance, CoarseClock.AdvanceInterval);
        if (!_bootstrapResolved) ResolveBootstrap();
        TrySend();
    }

    /// <summary>client.dns.lookup = resolve_canonical_bootstrap_servers_only: the bootstrap list becomes the canonical host names.</summary>
    private void ResolveBootstrap()
    {
        var servers = _bootstrap;
        BootstrapResolver.ResolveCanonicalAsync(servers, CancellationToken.None).PipeTo(Self,
            success: resolved => new BootstrapResolved(resolved, null),
            failure: e => new BootstrapResolved([], e is AggregateException { InnerException: { } inner } ? inner : e));
    }

    private void OnBootstrapResolved(BootstrapResolved resolved)
    {
        if (resolved.Servers.Count > 0)
        {
            _bootstrap = resolved.Servers;
            _bootstrapResolved = true;
            _resolveFailures = 0;
            _log.Debug("Bootstrap servers resolved to their canonical names: {0}", string.Join(", ", _bootstrap.Select(b => $"{b.Host}:{b.Port}")));
            TrySend();
            return;
        }
        // As Java's ClientUtils: no resolvable bootstrap url is an error; here it is retried (DNS may come back) and explains timeouts.
        _lastError = new Errors.NetworkException($"No resolvable bootstrap urls given in bootstrap.servers ({string.Join(",", _options.BootstrapServers)})" +
                                                 (resolved.Cause is null ? "." : $": {resolved.Cause.Message}"), resolved.Cause);
        _log.Warning("{0}", _lastError.Message);
        var backoff = ExponentialBackoff.For(_options.RetryBackoffMs, _options.RetryBackoffMaxMs, ++_resolveFailures);
        Timers.StartSingleTimer("resolve-bootstrap", ResolveBootstrapDue.Instance, backoff);
    }

    protected override void PostStop() => _waiters.FailAll(new ProducerClosedException("The producer stopped before the record was sent."));

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case AddTopics add:
                var added = false;
                foreach (var topic in add.Topics) added |= AddTopic(topic);
                if (added) Want(immediately: true);
                return true;
            case BootstrapResolved resolved:
                OnBootstrapResolved(resolved);
                return true;
            case ResolveBootstrapDue:
                ResolveBootstrap();
                return true;
            case AdvanceCoarseClock:
                CoarseClock.Advance();
                return true;
            case RequestUpdate:
                Want(immediately: false);
                return true;
            case LeaderHint hint:
                OnLeaderHint(hint);
                return true;
            case AwaitRoute await:
                OnAwaitRoute(await, Sender);
                return true;
            case RoutesPublished published:
                foreach (var route in published.Routes)
                {
                    _routes[route.Topic] = route;
                    _waiters.Routed(route);
                }
                return true;
            case RouteWaiters.Expired expired:
                _waiters.Expire(expired.WaiterId, MetadataTimeout);
                return true;
            case FailWaiters fail:
                _waiters.FailAll(fail.Cause);
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
            case ConnectionActor.Response or ConnectionActor.RequestFailed:
                return true; // stale
            default:
                return false;
        }
    }

    /// <summary>
    /// Java's <c>Metadata.updatePartitionLeadership</c> (KIP-951): a newer leader named by a Produce answer moves the
    /// partition in the snapshot at once, its address taken from the answer's NodeEndpoints when the broker is new to
    /// us, so the partition's retries go to it without a Metadata round trip (Java requests one all the same; it
    /// would only repeat the hint). One that repeats what is known, from another node (a sibling batch's answer
    /// applied it), needs nothing. Any other (an unknown partition, a leader without an address, an epoch older
    /// than the one known, a node naming itself while refusing) asks for a refresh, as any stale leader does.
    /// </summary>
    private void OnLeaderHint(LeaderHint hint)
    {
        if (_snapshot.WithLeader(hint.Partition, hint.LeaderId, hint.LeaderEpoch, hint.Node) is { } moved)
        {
            _snapshot = moved;
            Context.Parent.Tell(new ClusterUpdated(_snapshot));
        }
        else if (hint.LeaderId == hint.AnsweredBy || !_snapshot.HasLeader(hint.Partition, hint.LeaderId, hint.LeaderEpoch))
        {
            Want(immediately: false);
        }
    }

    private void OnAwaitRoute(AwaitRoute await, IActorRef replyTo)
    {
        if (_routes.TryGetValue(await.Topic, out var route))
        {
            replyTo.Tell(route);
            return;
        }
        if ((_lastError as AuthenticationException ?? TopicFailure(await.Topic)) is { } refused)
        {
            replyTo.Tell(new Status.Failure(refused));
            return;
        }
        _waiters.Add(await.Topic, replyTo, await.DeadlineMs);
        if (AddTopic(await.Topic)) Want(immediately: true);
    }

    /// <summary>A topic comes into use; its metadata.max.idle.ms counts from now (and from every send, through its route).</summary>
    private bool AddTopic(string topic)
    {
        _topicAddedMs[topic] = MonotonicClock.NowMs;
        return _topics.Add(topic);
    }

    /// <summary>
    /// Java's <c>ProducerMetadata.retainTopic</c>: a topic not sent to for metadata.max.idle.ms, and nobody waiting for,
    /// leaves the metadata requests; the ProducerActor drops its route, so the next send to it waits for metadata again.
    /// </summary>
    private void ForgetIdleTopics(long nowMs)
    {
        List<string>? forgotten = null;
        foreach (var topic in _topics)
        {
            var idleMs = nowMs - _topicAddedMs.GetValueOrDefault(topic, nowMs);
            if (_routes.TryGetValue(topic, out var route)) idleMs = Math.Min(idleMs, route.Usage.IdleMs);
            if (idleMs < _options.MaxIdleMs || _waiters.Topics.Contains(topic)) continue;
            (forgotten ??= []).Add(topic);
        }
        if (forgotten is null) return;
        foreach (var topic in forgotten)
        {
            _log.Debug("Removing unused topic {0} from the metadata list (not sent to for metadata.max.idle.ms = {1} ms)", topic, _options.MaxIdleMs);
            _topics.Remove(topic);
            _topicAddedMs.Remove(topic);
            _routes.Remove(topic);
        }
        Context.Parent.Tell(new TopicsForgotten(forgotten));
    }

    /// <summary>A topic the broker refuses outright (authorization, invalid name): no point waiting for it.</summary>
    private Exception? TopicFailure(string topic) =>
        _snapshot.Topics.TryGetValue(topic, out var info) && info.Error != ErrorCode.None && !info.Error.IsRetriable()
            ? ErrorMapping.ToException(info.Error, $"Metadata for topic {topic}")
            : null;

    /// <summary>Java's message, plus what we know about why.</summary>
    private KafkaTimeoutException MetadataTimeout(string topic)
    {
        // With no broker known, say where we looked, whether or not an attempt has failed yet.
        var why = _snapshot.Brokers.Count == 0
            ? $" No broker answered (bootstrap.servers = {string.Join(",", _options.BootstrapServers)}){(_lastError is null ? "." : $": {_lastError.Message}")}"
            : _snapshot.Topics.TryGetValue(topic, out var info) && info.Error != ErrorCode.None
                ? $" The broker reports {info.Error.KafkaName()} for it."
                : "";
        return new KafkaTimeoutException($"Topic {topic} not present in metadata after {_options.MaxBlockMs} ms.{why}", _lastError);
    }

    private void Want(bool immediately)
    {
        _wanted = true;
        // As Java's requestUpdateForNewTopics: a new topic is fetched at once, also when it arrives while a request
        // without it is in flight (e.g. the first one, which only learns the brokers): that answer sets no backoff.
        if (immediately && _failures == 0)
        {
            _notBeforeMs = 0;
            _newTopicsWaiting |= _inFlight;
        }
        TrySend();
    }

    private void TrySend()
    {
        if (_inFlight || !_wanted || !_bootstrapResolved) return;
        var now = MonotonicClock.NowMs;
        if (now < _notBeforeMs)
        {
            Timers.StartSingleTimer(RefreshTimer, RefreshDue.Instance, TimeSpan.FromMilliseconds(_notBeforeMs - now));
            return;
        }
        if (_recovery.TryRebootstrap(now, _failures, _snapshot.Brokers.Count, out var why))
        {
            _log.Info("Rebootstrapping (metadata.recovery.strategy = rebootstrap): {0}; asking bootstrap.servers = {1}", why, string.Join(",", _bootstrap.Select(b => $"{b.Host}:{b.Port}")));
            _target = null;
            _targetIndex = -1;
        }
        if (_target is not null && !IsCurrent(_target)) _target = null;
        _target ??= NextTarget();
        ForgetIdleTopics(now);
        _recovery.OnAttempt(now);
        _inFlight = true;
        _wanted = false;
        var request = new ConnectionActor.Request(new MetadataRequest(_topics.ToArray(), _options.AllowAutoTopicCreation), ++_token, Self);
        Context.Parent.Tell(new BrokerConnections.SendTo(_target, request));
    }

    private BrokerEndpoint NextTarget()
    {
        // Known brokers first; the bootstrap list until we know any, and while rebootstrapping.
        var candidates = _snapshot.Brokers.Count > 0 && !_recovery.Rebootstrapping
            ? _snapshot.Brokers.Values.OrderBy(b => b.NodeId).Select(b => new BrokerEndpoint(b.NodeId, b.Host, b.Port)).ToList()
            : _bootstrap;
        _targetIndex = (_targetIndex + 1) % candidates.Count;
        return candidates[_targetIndex];
    }

    /// <summary>A bootstrap address serves until brokers are known; a broker while the cluster names it at that address.</summary>
    private bool IsCurrent(BrokerEndpoint target) =>
        target.NodeId < 0
            ? _snapshot.Brokers.Count == 0 || _recovery.Rebootstrapping
            : _snapshot.Brokers.TryGetValue(target.NodeId, out var broker) && broker.Host == target.Host && broker.Port == target.Port;

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
        if (parsed.Brokers.Count == 0)
        {
            // As Java: a broker that is starting up (or one that no longer lists itself) may answer with no brokers.
            // That is no metadata: the known brokers stay, and the time without metadata keeps counting towards
            // metadata.recovery.rebootstrap.trigger.ms (KIP-1102). Asked again after retry.backoff.ms.
            _log.Debug("Ignoring an empty Metadata response from node {0}", response.NodeId);
            _wanted = true;
            _notBeforeMs = MonotonicClock.NowMs + _options.RetryBackoffMs;
            TrySend();
            return;
        }
        _failures = 0;
        _lastError = null;
        _recovery.OnAnswer();
        _snapshot = _snapshot.Update(parsed, _topics);
        Context.Parent.Tell(new ClusterUpdated(_snapshot));
        foreach (var topic in _waiters.Topics.ToList())
            if (TopicFailure(topic) is { } refused) _waiters.Fail(topic, refused); // authorization errors, invalid names
        if (_target is { NodeId: < 0 } && _snapshot.Brokers.Count > 0)
        {
            // As in Java, bootstrap addresses serve only until the brokers are known; nothing is in flight on them now.
            Context.Parent.Tell(BrokerConnections.ReleaseBootstrap.Instance);
            _target = null;
        }

        // Keep asking while a topic we need is missing or a partition has no leader.
        var incomplete = _topics.Any(topic => !_snapshot.Topics.TryGetValue(topic, out var info)
                                              || (info.Error != ErrorCode.None && info.Error.IsRetriable())
                                              || info.Partitions.Any(p => p.Leader < 0));
        _notBeforeMs = _newTopicsWaiting ? 0 : MonotonicClock.NowMs + _options.RetryBackoffMs;
        _newTopicsWaiting = false;
        if (incomplete) _wanted = true;
        if (_wanted) TrySend();
        else Timers.StartSingleTimer(RefreshTimer, RefreshDue.Instance, TimeSpan.FromMilliseconds(_options.MaxAgeMs));
    }

    private void OnFailure(Exception cause)
    {
        _inFlight = false;
        _failures++;
        _log.Debug("Metadata request failed ({0} in a row): {1}", _failures, cause.Message);
        _lastError = cause;
        Context.Parent.Tell(new MetadataFailed(cause));
        // As Java's metadata fatal error: waiting out max.block.ms would not help.
        if (cause is AuthenticationException) _waiters.FailAll(cause);
        // The next attempt goes to the next broker; the connection is shared, so it stays (and reconnects when used).
        _target = null;
        _wanted = true;
        _notBeforeMs = MonotonicClock.NowMs + (long)ExponentialBackoff.For(_options.RetryBackoffMs, _options.RetryBackoffMaxMs, _failures).TotalMilliseconds;
        TrySend();
    }
}

/// <summary>The settings the metadata actor needs.</summary>
internal sealed record MetadataOptions(
    long MaxAgeMs,
    long RetryBackoffMs,
    long RetryBackoffMaxMs,
    bool AllowAutoTopicCreation,
    long MaxBlockMs,
    IReadOnlyList<string> BootstrapServers,
    long MaxIdleMs = 300_000,
    MetadataRecoveryStrategy RecoveryStrategy = MetadataRecoveryStrategy.Rebootstrap,
    long RebootstrapTriggerMs = 300_000,
    ClientDnsLookup DnsLookup = ClientDnsLookup.UseAllDnsIps)
{
    public static MetadataOptions From(ProducerSettings settings) => new(
        settings.MetadataMaxAgeMs, settings.RetryBackoffMs, settings.RetryBackoffMaxMs, settings.AllowAutoCreateTopics,
        settings.MaxBlockMs, settings.BootstrapServers, settings.MetadataMaxIdleMs, settings.MetadataRecoveryStrategy,
        settings.MetadataRecoveryRebootstrapTriggerMs, settings.ClientDnsLookup);
}
