namespace KafkaActors.Testing.Secure;

/// <summary>
/// One stage of the front's request pipeline: sees each request of one client connection, in order, and answers it
/// locally, forwards it, drops its response, closes the connection, or passes it on to the next stage. The SASL stage
/// is one, the idempotence check another.
/// </summary>
/// <remarks>
/// The front creates one handler per connection (see <see cref="SecureKafkaOptions.FrameHandlers"/>) and calls it
/// from that connection's read loop only, so a handler needs no locking for its own state. It must not block for long:
/// the connection reads no further request meanwhile; a decision that must wait returns <see cref="FrameAction.Defer"/>.
/// </remarks>
public interface IFrameHandler
{
    /// <summary>Decides about <paramref name="request"/>; return <see cref="FrameAction.Pass"/> to let later stages decide.</summary>
    FrameAction OnRequest(in KafkaRequestFrame request);
}
