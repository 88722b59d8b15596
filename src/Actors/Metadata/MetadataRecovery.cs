using KafkaActors.Settings;

namespace KafkaActors.Metadata;

/// <summary>
/// metadata.recovery.strategy (KIP-899, KIP-1102) as a policy without actors: when the metadata requests leave the
/// known brokers for the bootstrap servers. With <see cref="MetadataRecoveryStrategy.Rebootstrap"/> that happens once
/// every known broker has failed a request in a row (Java: no node is ready or may be connected to), or when no
/// answer listing brokers has come for metadata.recovery.rebootstrap.trigger.ms since the first attempt after the last one; it lasts
/// until an answer arrives. With <see cref="MetadataRecoveryStrategy.None"/> the known brokers are tried for ever.
/// Owned by the MetadataActor; not thread-safe.
/// </summary>
internal sealed class MetadataRecovery(MetadataRecoveryStrategy strategy, long rebootstrapTriggerMs)
{
    private long _attemptsSinceMs = -1;

    /// <summary>True from a rebootstrap until the next answer: metadata requests go to the bootstrap servers.</summary>
    public bool Rebootstrapping { get; private set; }

    /// <summary>A metadata request goes out at <paramref name="nowMs"/>.</summary>
    public void OnAttempt(long nowMs)
    {
        if (_attemptsSinceMs < 0) _attemptsSinceMs = nowMs;
    }

    /// <summary>A metadata answer arrived: the known brokers serve again.</summary>
    public void OnAnswer()
    {
        _attemptsSinceMs = -1;
        Rebootstrapping = false;
    }

    /// <summary>
    /// Before an attempt at <paramref name="nowMs"/>, after <paramref name="failuresInARow"/> failed requests with
    /// <paramref name="knownBrokers"/> brokers known: true when it starts a rebootstrap (and the caller must turn to
    /// the bootstrap servers).
    /// </summary>
    public bool TryRebootstrap(long nowMs, int failuresInARow, int knownBrokers, out string why)
    {
        why = "";
        if (strategy != MetadataRecoveryStrategy.Rebootstrap || knownBrokers == 0 || Rebootstrapping) return false;
        if (failuresInARow >= knownBrokers)
            why = $"none of the {knownBrokers} known broker(s) answered";
        else if (_attemptsSinceMs >= 0 && nowMs - _attemptsSinceMs >= rebootstrapTriggerMs)
            why = $"no metadata for {nowMs - _attemptsSinceMs} ms (metadata.recovery.rebootstrap.trigger.ms = {rebootstrapTriggerMs})";
        else
            return false;
        Rebootstrapping = true;
        _attemptsSinceMs = nowMs; // Java: the trigger's clock starts over with the rebootstrap
        return true;
    }
}
