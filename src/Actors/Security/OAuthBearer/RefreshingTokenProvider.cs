using KafkaActors.Errors;

namespace KafkaActors.Security.OAuthBearer;

/// <summary>
/// Caches the token of another provider and refreshes it in the background before it expires (Java's
/// <c>ExpiringCredentialRefreshingLogin</c>), so that <see cref="GetTokenAsync"/> normally answers at once.
/// <list type="bullet">
/// <item>The first call fetches; concurrent callers share that one fetch.</item>
/// <item>After each token, a refresh is scheduled by <see cref="RefreshSchedule.RefreshDelay"/>.</item>
/// <item>A failed fetch is retried with <see cref="RefreshSchedule.RetryDelay"/>; meanwhile the old token is served
/// while it is valid. Once no valid token is left, callers get the last failure until a fetch succeeds.</item>
/// <item>An expired token with no failure recorded (its refresh was due after its expiry) is fetched on demand.</item>
/// </list>
/// Owns the wrapped provider and disposes it with itself; disposing stops the refreshing. Thread-safe: all state is
/// guarded by one lock, and fetches run on the thread pool, never under it.
/// </summary>
internal sealed class RefreshingTokenProvider : IOAuthBearerTokenProvider, IDisposable
{
    // Timers cannot wait longer than ~49 days; a longer wait is done in steps, each re-checking the due time.
    private static readonly TimeSpan MaxTimerStep = TimeSpan.FromDays(1);

    private readonly IOAuthBearerTokenProvider _inner;
    private readonly SaslLoginSettings _login;
    private readonly TimeProvider _time;
    private readonly Func<double> _random;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _timer;
    private readonly Lock _gate = new();

    private OAuthBearerToken? _token;
    private Task<OAuthBearerToken>? _inFlight;
    private Task<OAuthBearerToken>? _lastFailure;
    private DateTimeOffset _refreshDueAt = DateTimeOffset.MaxValue;
    private int _consecutiveFailures;
    private long _refreshCount;
    private long _fetchCount;
    private bool _disposed;

    /// <param name="inner">The provider that fetches; owned by this one from now on.</param>
    /// <param name="login">The refresh window, buffers and retry backoff.</param>
    /// <param name="time">The clock and timers; the system's by default.</param>
    /// <param name="random">Uniform in [0, 1) for the refresh jitter; <see cref="Random.Shared"/> by default.</param>
    public RefreshingTokenProvider(IOAuthBearerTokenProvider inner, SaslLoginSettings login, TimeProvider? time = null, Func<double>? random = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(login);
        _inner = inner;
        _login = login;
        _time = time ?? TimeProvider.System;
        _random = random ?? Random.Shared.NextDouble;
        _timer = _time.CreateTimer(static state => ((RefreshingTokenProvider)state!).OnRefreshDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Tokens fetched successfully so far, the first included.</summary>
    internal long RefreshCount => Interlocked.Read(ref _refreshCount);

    /// <summary>Fetches started so far, failed ones included.</summary>
    internal long FetchCount => Interlocked.Read(ref _fetchCount);

    /// <summary>Fetches that failed since the last success.</summary>
    internal int ConsecutiveFailures
    {
        get { lock (_gate) return _consecutiveFailures; }
    }

    /// <summary>The wrapped provider.</summary>
    internal IOAuthBearerTokenProvider Inner => _inner;

    /// <exception cref="AuthenticationException">No valid token is cached and the last fetch failed (that failure).</exception>
    /// <exception cref="ObjectDisposedException">This provider is disposed.</exception>
    public ValueTask<OAuthBearerToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        Task<OAuthBearerToken> fetch;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_token is { } token && _time.GetUtcNow() < token.ExpiresAt) return new ValueTask<OAuthBearerToken>(token);
            // Awaiting the stored faulted task rethrows the failure as it was first thrown.
            if (_lastFailure is not null) return new ValueTask<OAuthBearerToken>(_lastFailure);
            fetch = _inFlight ??= StartFetchLocked();
        }
        // A caller giving up stops only its own wait: the shared fetch goes on for the others.
        return new ValueTask<OAuthBearerToken>(fetch.WaitAsync(cancellationToken));
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _timer.Dispose();
        }
        // Outside the lock: cancellation runs the in-flight fetch's continuations, which take the lock.
        _stopping.Cancel();
        (_inner as IDisposable)?.Dispose();
    }

    public override string ToString()
    {
        lock (_gate)
            return $"RefreshingTokenProvider {{ Token = {_token?.ToString() ?? "none"}, RefreshDueAt = {_refreshDueAt:O}, Failures = {_consecutiveFailures} }}";
    }

    private Task<OAuthBearerToken> StartFetchLocked()
    {
        Interlocked.Increment(ref _fetchCount);
        // Task.Run: the fetch must not run synchronously here, under the lock, before _inFlight is set.
        var fetch = Task.Run(FetchAsync);
        // A background refresh may have no caller awaiting it; its failure is kept in _lastFailure instead.
        fetch.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return fetch;
    }

    private async Task<OAuthBearerToken> FetchAsync()
    {
        OAuthBearerToken token;
        try
        {
            token = await _inner.GetTokenAsync(_stopping.Token).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            if (token.ExpiresAt <= now)
                throw new SaslAuthenticationException(OAuthBearerTokenProviders.Mechanism,
                    $"The OAUTHBEARER token provider returned a token that expired at {token.ExpiresAt:O}, before it arrived ({now:O}); check that the clocks agree.");
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _inFlight = null;
                if (!_disposed)
                {
                    _consecutiveFailures++;
                    _lastFailure = Task.FromException<OAuthBearerToken>(e);
                    _ = _lastFailure.Exception; // observed: it is rethrown to callers, if any come
                    ScheduleLocked(_time.GetUtcNow() + RefreshSchedule.RetryDelay(_consecutiveFailures, _login));
                }
            }
            throw;
        }

        lock (_gate)
        {
            _inFlight = null;
            if (!_disposed)
            {
                _token = token;
                _lastFailure = null;
                _consecutiveFailures = 0;
                Interlocked.Increment(ref _refreshCount);
                var now = _time.GetUtcNow();
                ScheduleLocked(now + RefreshSchedule.RefreshDelay(now, token.ExpiresAt, _login, _random()));
            }
        }
        return token;
    }

    private void OnRefreshDue()
    {
        lock (_gate)
        {
            // A fetch in flight (started by a caller) schedules the next refresh when it ends.
            if (_disposed || _inFlight is not null) return;
            if (_time.GetUtcNow() < _refreshDueAt)
            {
                ScheduleLocked(_refreshDueAt); // woke early: a long wait is done in steps
                return;
            }
            _inFlight = StartFetchLocked();
        }
    }

    private void ScheduleLocked(DateTimeOffset dueAt)
    {
        _refreshDueAt = dueAt;
        var wait = dueAt - _time.GetUtcNow();
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        if (wait > MaxTimerStep) wait = MaxTimerStep;
        _timer.Change(wait, Timeout.InfiniteTimeSpan);
    }
}
