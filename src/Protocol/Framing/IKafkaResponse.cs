using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Framing;

/// <summary>
/// A response body that writes itself at any version it supports: the server side of a message, used by test
/// brokers and relays (the client only parses responses). Writing has no side effects.
/// </summary>
public interface IKafkaResponse
{
    ApiKey ApiKey { get; }

    void Write(ref ProtocolWriter writer, short version);
}
