using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// FindCoordinatorRequest.json (key 10), versions 0-4 (flexible 3+). v0 knows only groups; v1 adds the key type;
/// v4 sends the key as a one-element CoordinatorKeys batch. Immutable; thread-safe.
/// </summary>
public sealed record FindCoordinatorRequest(string Key, CoordinatorType KeyType) : IKafkaRequest
{
    public ApiKey ApiKey => ApiKey.FindCoordinator;

    public void WriteBody(ref ProtocolWriter writer, short version)
    {
        if (version == 0 && KeyType != CoordinatorType.Group)
            throw new ArgumentOutOfRangeException(nameof(version), version, "FindCoordinator v0 can only look up a group coordinator.");
        var flexible = ClientApiVersions.IsFlexible(ApiKey.FindCoordinator, version);
        if (version <= 3) writer.WriteString(Key, flexible);
        if (version >= 1) writer.WriteInt8((sbyte)KeyType);
        if (version >= 4)
        {
            writer.WriteArrayLength(1, flexible);
            writer.WriteString(Key, flexible);
        }
        if (flexible) writer.WriteEmptyTaggedFields();
    }
}
