namespace KafkaActors.Tests.Security;

/// <summary>A clock that stays where a test puts it (timers are the system's). Not thread-safe to move.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
