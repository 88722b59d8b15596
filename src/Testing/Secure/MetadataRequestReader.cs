using KafkaActors.Protocol;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// Server-side decoding of the topic names of a Metadata request (the protocol library's <see cref="MetadataRequest"/>
/// only knows how to write itself), for <see cref="FrontRequestLog"/>. Stateless; thread-safe.
/// </summary>
internal static class MetadataRequestReader
{
    /// <summary>
    /// MetadataRequest.json, versions 0-12 (flexible 9+; a topic id before each name from 10): the topic names, null for
    /// all topics (v0 says so with an empty array, later versions with a null one), empty for brokers only.
    /// </summary>
    public static IReadOnlyList<string>? ReadTopics(in KafkaRequestFrame request)
    {
        var version = request.ApiVersion;
        var flexible = ClientApiVersions.IsFlexible(ApiKey.Metadata, version);
        var reader = new ProtocolReader(request.Body(flexible));
        var count = reader.ReadArrayLength(flexible);
        if (count < 0 || (count == 0 && version == 0)) return null;
        var topics = new string[count];
        for (var i = 0; i < count; i++)
        {
            if (version >= 10) reader.ReadUuid();
            // From v10 a topic may be named by id alone (a null name); the log shows it as "".
            topics[i] = reader.ReadString(flexible) ?? "";
            if (flexible) reader.SkipTaggedFields();
        }
        return topics;
    }
}
