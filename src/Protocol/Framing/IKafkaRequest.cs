using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Framing;

/// <summary>
/// A request body that knows its API and writes itself at any version it supports. Writing has no
/// side effects: a retried request is simply written again.
/// </summary>
public interface IKafkaRequest
{
    ApiKey ApiKey { get; }

    void WriteBody(ref ProtocolWriter writer, short version);
}
