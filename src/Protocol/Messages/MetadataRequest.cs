using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// MetadataRequest.json (key 3), versions 1-12 (flexible 9+). <see cref="Topics"/> null asks for all
/// topics; an empty list asks for brokers only.
/// </summary>
public sealed record MetadataRequest(IReadOnlyList<string>? Topics, bool AllowAutoTopicCreation) : IKafkaRequest
{
    public ApiKey ApiKey => ApiKey.Metadata;

    public void WriteBody(ref ProtocolWriter writer, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.Metadata, version);
        if (Topics is null)
        {
            writer.WriteArrayLength(-1, flexible);
        }
        else
        {
            writer.WriteArrayLength(Topics.Count, flexible);
            foreach (var topic in Topics)
            {
                if (version >= 10) writer.WriteUuid(Guid.Empty);
                writer.WriteString(topic, flexible);
                if (flexible) writer.WriteEmptyTaggedFields();
            }
        }
        if (version >= 4) writer.WriteBool(AllowAutoTopicCreation);
        if (version is >= 8 and <= 10) writer.WriteBool(false); // IncludeClusterAuthorizedOperations
        if (version >= 8) writer.WriteBool(false); // IncludeTopicAuthorizedOperations
        if (flexible) writer.WriteEmptyTaggedFields();
    }
}
