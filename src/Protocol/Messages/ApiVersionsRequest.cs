using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>ApiVersionsRequest.json (key 18): empty body in v0-2; client software name and version from v3 (flexible).</summary>
public sealed record ApiVersionsRequest(string ClientSoftwareName, string ClientSoftwareVersion) : IKafkaRequest
{
    public ApiKey ApiKey => ApiKey.ApiVersions;

    public void WriteBody(ref ProtocolWriter writer, short version)
    {
        if (version < 3) return;
        writer.WriteCompactString(ClientSoftwareName);
        writer.WriteCompactString(ClientSoftwareVersion);
        writer.WriteEmptyTaggedFields();
    }
}
