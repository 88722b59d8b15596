using System.Diagnostics;
using Akka.Actor;
using KafkaActors.Tracing;

namespace KafkaActors;

/// <summary>
/// Tell a <see cref="ProducerRecord{TKey,TValue}"/> to the producer actor, optionally with a correlation
/// object of yours. Unless <see cref="Acknowledge"/> is false (fire-and-forget), the sender gets
/// <see cref="Delivered"/> or <see cref="DeliveryFailed"/> back with that correlation. Telling a bare
/// ProducerRecord is the same as a Produce with no correlation (and no trace context).
/// </summary>
public sealed record Produce<TKey, TValue>(ProducerRecord<TKey, TValue> Record, object? Correlation = null, bool Acknowledge = true)
{
    // Boxed, and only while the KafkaActors source has listeners: without them a Produce grows by one reference.
    private readonly object? _parentContext = ProducerTracing.CaptureCurrentContext();

    /// <summary>
    /// The trace context the record's <c>send</c> span is parented to. Default: <see cref="Activity.Current"/>'s
    /// context where this Produce is constructed (captured only while the <c>KafkaActors</c> ActivitySource has
    /// listeners), since the producer actor runs on another thread and Akka.NET does not carry the teller's
    /// context. Set it to parent the span elsewhere; default (no context) makes it a root span.
    /// </summary>
    public ActivityContext ParentContext
    {
        get => _parentContext is ActivityContext context ? context : default;
        init => _parentContext = value == default ? null : value;
    }
}

/// <summary>The record was written: where, and your correlation object.</summary>
public sealed record Delivered(RecordMetadata Metadata, object? Correlation);

/// <summary>The record was not written (or may not have been, for timeouts): why, and your correlation object.</summary>
public sealed record DeliveryFailed(Exception Cause, string Topic, int Partition, object? Correlation);

/// <summary>
/// Back-pressure of the Tell protocol: the producer actor has many told records waiting (for metadata or
/// buffer memory). It still accepted the record you just told, but please stop telling until <see cref="Ready"/>.
/// Each sender gets it once per episode.
/// </summary>
public sealed class BufferFull
{
    public static readonly BufferFull Instance = new();
    private BufferFull() { }
}

/// <summary>The end of a <see cref="BufferFull"/> episode: telling records is welcome again.</summary>
public sealed class Ready
{
    public static readonly Ready Instance = new();
    private Ready() { }
}

/// <summary>Ask the producer actor to send everything it has now; it answers <see cref="Flushed"/> once every record told before is complete.</summary>
public sealed class Flush
{
    public static readonly Flush Instance = new();
    private Flush() { }
}

/// <summary>The answer to <see cref="Flush"/>.</summary>
public sealed class Flushed
{
    public static readonly Flushed Instance = new();
    private Flushed() { }
}

/// <summary>Completes each Tell'd record with a reply to its sender.</summary>
internal sealed class ActorDelivery(IActorRef replyTo, object? correlation) : IDeliveryCallback
{
    public void OnCompletion(RecordMetadata metadata, Exception? exception)
    {
        if (exception is null) replyTo.Tell(new Delivered(metadata, correlation));
        else replyTo.Tell(new DeliveryFailed(exception, metadata.Topic, metadata.Partition, correlation));
    }
}
