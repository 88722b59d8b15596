using System.Collections.Concurrent;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// Faults the front injects itself (the mock has no such knob): a throttle time per broker, written into that broker's
/// responses (KIP-219: the broker answers at once and asks the client to hold back). Owned by one
/// <see cref="SecureEmbeddedKafka"/>; thread-safe (set by tests, read by every connection's write loop).
/// </summary>
internal sealed class FrontFaults
{
    private readonly ConcurrentDictionary<int, int> _throttleMs = new();

    /// <summary>Responses of <paramref name="brokerId"/> carry <paramref name="throttleMs"/> (0 removes it).</summary>
    public void SetThrottleTime(int brokerId, int throttleMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(throttleMs);
        if (throttleMs == 0) _throttleMs.TryRemove(brokerId, out _);
        else _throttleMs[brokerId] = throttleMs;
    }

    /// <summary>The throttle time to write into <paramref name="brokerId"/>'s responses; 0 for none.</summary>
    public int ThrottleTimeMs(int brokerId) => _throttleMs.IsEmpty ? 0 : _throttleMs.GetValueOrDefault(brokerId);
}
