using KafkaActors.Protocol;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// The front's last stage: forwards a Produce request with acks=0 but drops the mock's answer to it, because the mock
/// answers every Produce (it ignores acks) while a Kafka broker sends nothing. So through the front a client sees
/// Kafka's behaviour. Stateless; one shared instance serves all connections.
/// </summary>
internal sealed class AcksZeroProduceStage : IFrameHandler
{
    public static readonly AcksZeroProduceStage Instance = new();

    public FrameAction OnRequest(in KafkaRequestFrame request)
    {
        if (request.ApiKey != (short)ApiKey.Produce)
            return FrameAction.Pass;
        // ProduceRequest.json: flexible from v9; TransactionalId from v3, then Acks.
        var flexible = request.ApiVersion >= 9;
        var reader = new ProtocolReader(request.Body(flexible));
        if (request.ApiVersion >= 3) reader.ReadString(flexible);
        return reader.ReadInt16() == 0 ? FrameAction.ForwardWithoutResponse : FrameAction.Pass;
    }
}
