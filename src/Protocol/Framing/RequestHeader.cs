using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Framing;

/// <summary>
/// RequestHeader.json: api key, api version, correlation id, client id (v1+, a classic nullable
/// string even in v2), and an empty tagged-field section in v2.
/// </summary>
public readonly record struct RequestHeader(ApiKey ApiKey, short ApiVersion, int CorrelationId, string? ClientId)
{
    public void Write(ref ProtocolWriter writer)
    {
        var headerVersion = ClientApiVersions.RequestHeaderVersion(ApiKey, ApiVersion);
        writer.WriteInt16((short)ApiKey);
        writer.WriteInt16(ApiVersion);
        writer.WriteInt32(CorrelationId);
        writer.WriteString(ClientId);
        if (headerVersion >= 2) writer.WriteEmptyTaggedFields();
    }
}
