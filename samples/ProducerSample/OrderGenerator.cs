using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using KafkaActors;
using Microsoft.Extensions.Logging;

namespace ProducerSample;

/// <summary>Marker under which the "orders" producer actor is registered: inject <c>IRequiredActor&lt;OrdersProducer&gt;</c>.</summary>
public sealed class OrdersProducer;

/// <summary>How the actor path went, handed to <see cref="OrderGenerator"/> by DI and completed when it is done.</summary>
public sealed class GeneratorResult
{
    private readonly TaskCompletionSource<GeneratorResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Told { get; internal set; }
    public int Delivered { get; internal set; }
    public int Failed { get; internal set; }
    public int BufferFull { get; internal set; }
    public int Ready { get; internal set; }
    public TimeSpan Elapsed { get; internal set; }
    public Task<GeneratorResult> Done => _done.Task;

    internal void Complete() => _done.TrySetResult(this);
}

/// <summary>
/// Generates orders and Tells them to the producer actor as <see cref="Produce{TKey,TValue}"/>, each with
/// its order number as the correlation; the producer answers <see cref="Delivered"/> or
/// <see cref="DeliveryFailed"/>. Honours the Tell protocol's back-pressure: stops telling on
/// <see cref="BufferFull"/> and goes on at <see cref="Ready"/>. Stops after the configured number of
/// records or time, and completes <see cref="GeneratorResult"/> once every told record has an outcome.
/// </summary>
public sealed class OrderGenerator : ReceiveActor, IWithTimers
{
    /// <summary>Orders told per tick: up to 100,000 a second, faster than metadata arrives at the start.</summary>
    private const int Burst = 1000;

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private readonly IActorRef _producer;
    private readonly SampleSettings _settings;
    private readonly GeneratorResult _result;
    private readonly ILogger _log;
    private readonly Stopwatch _clock = new();
    private bool _paused;
    private bool _stopped;

    public ITimerScheduler Timers { get; set; } = null!;

    public OrderGenerator(IRequiredActor<OrdersProducer> producer, SampleSettings settings, GeneratorResult result, ILogger<OrderGenerator> log)
    {
        _log = log;
        _producer = producer.ActorRef;
        _settings = settings;
        _result = result;

        Receive<Generate>(_ => OnGenerate());
        Receive<Delivered>(delivered =>
        {
            _result.Delivered++;
            if (_result.Delivered % 2500 == 0)
                _log.LogInformation("actor: order {Order} delivered to {Metadata}", delivered.Correlation, delivered.Metadata);
            CompleteIfDone();
        });
        Receive<DeliveryFailed>(failed =>
        {
            _result.Failed++;
            if (_result.Failed <= 5) _log.LogWarning("actor: order {Order} failed: {Reason}", failed.Correlation, failed.Cause.Message);
            CompleteIfDone();
        });
        Receive<BufferFull>(_ =>
        {
            // The record just told was still accepted; hold the next ones until Ready.
            _result.BufferFull++;
            _paused = true;
            _log.LogInformation("actor: BufferFull after {Told} orders told: pausing", _result.Told);
        });
        Receive<Ready>(_ =>
        {
            _result.Ready++;
            _paused = false;
            _log.LogInformation("actor: Ready after {Delivered} delivered: resuming", _result.Delivered);
        });
    }

    protected override void PreStart()
    {
        _clock.Start();
        Timers.StartPeriodicTimer(nameof(Generate), Generate.Instance, TimeSpan.Zero, Tick);
    }

    private void OnGenerate()
    {
        if (_stopped) return;
        if (_result.Told >= _settings.Records || _clock.Elapsed >= _settings.Duration)
        {
            // Done telling (even while paused: the time bound holds); done once every outcome is in.
            _stopped = true;
            Timers.Cancel(nameof(Generate));
            CompleteIfDone();
            return;
        }
        if (_paused) return;
        for (var i = 0; i < Burst && _result.Told < _settings.Records; i++)
        {
            var n = _result.Told++;
            var record = new ProducerRecord<string, string>(_settings.Topic, SampleSettings.CustomerKey(n), _settings.OrderJson("actor", n));
            _producer.Tell(new Produce<string, string>(record, Correlation: n));
        }
    }

    private void CompleteIfDone()
    {
        if (!_stopped || _result.Delivered + _result.Failed < _result.Told) return;
        _result.Elapsed = _clock.Elapsed;
        _result.Complete();
    }

    private sealed class Generate
    {
        public static readonly Generate Instance = new();
    }
}
