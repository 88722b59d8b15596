using System.Diagnostics;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>Kafka's ThroughputThrottler: sleep whenever the sender is ahead of the target rate.</summary>
public sealed class RateLimiter(int perSecond)
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public void Wait(int sent)
    {
        if (perSecond <= 0) return;
        var due = TimeSpan.FromSeconds((double)sent / perSecond);
        var ahead = due - Stopwatch.GetElapsedTime(_start);
        if (ahead > TimeSpan.FromMilliseconds(1)) Thread.Sleep(ahead);
    }
}
