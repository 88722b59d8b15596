using System.Collections.Concurrent;
using System.Diagnostics;
using KafkaActors.Tracing;

namespace KafkaActors.Tests.Tracing;

/// <summary>An ActivityListener on the KafkaActors source recording every span it stops. Thread-safe; dispose to stop listening.</summary>
public sealed class SpanCapture : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private int _started;

    public SpanCapture(ActivitySamplingResult sampling = ActivitySamplingResult.AllDataAndRecorded)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ProducerTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => sampling,
            ActivityStarted = _ => Interlocked.Increment(ref _started),
            ActivityStopped = activity => _stopped.Enqueue(activity),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public int Started => Volatile.Read(ref _started);

    /// <summary>The stopped spans of one topic (every test uses its own).</summary>
    public IReadOnlyList<Activity> Of(string topic) =>
        _stopped.Where(a => (string?)a.GetTagItem("messaging.destination.name") == topic).ToList();

    /// <summary>Waits (generously) until <paramref name="count"/> spans of the topic have stopped.</summary>
    public async Task<IReadOnlyList<Activity>> WaitFor(string topic, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Of(topic).Count < count && DateTime.UtcNow < deadline) await Task.Delay(20);
        return Of(topic);
    }

    public void Dispose() => _listener.Dispose();
}
