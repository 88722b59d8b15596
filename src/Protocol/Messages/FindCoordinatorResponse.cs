using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// FindCoordinatorResponse.json (key 10), versions 0-4. v0-3 answer one coordinator at the top level; v4 answers a
/// Coordinators array, one per requested key. Both are presented as <see cref="Coordinators"/> (for v0-3 a single
/// entry whose key is empty). Immutable; thread-safe.
/// </summary>
public sealed record FindCoordinatorResponse(int ThrottleTimeMs, IReadOnlyList<Coordinator> Coordinators)
{
    public static FindCoordinatorResponse Parse(ReadOnlySpan<byte> body, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.FindCoordinator, version);
        var reader = new ProtocolReader(body);
        var throttle = version >= 1 ? reader.ReadInt32() : 0;
        Coordinator[] coordinators;
        if (version <= 3)
        {
            var error = (ErrorCode)reader.ReadInt16();
            var message = version >= 1 ? reader.ReadString(flexible) : null;
            var nodeId = reader.ReadInt32();
            // Kafka writes "" with an error; librdkafka's mock writes a null host (node -1, port -1).
            var host = reader.ReadString(flexible) ?? "";
            var port = reader.ReadInt32();
            coordinators = [new Coordinator("", nodeId, host, port, error, message)];
        }
        else
        {
            var count = reader.ReadArrayLength(flexible);
            coordinators = new Coordinator[Math.Max(count, 0)];
            for (var i = 0; i < coordinators.Length; i++)
            {
                var key = reader.ReadRequiredString(flexible);
                var nodeId = reader.ReadInt32();
                var host = reader.ReadRequiredString(flexible);
                var port = reader.ReadInt32();
                var error = (ErrorCode)reader.ReadInt16();
                var message = reader.ReadString(flexible);
                reader.SkipTaggedFields();
                coordinators[i] = new Coordinator(key, nodeId, host, port, error, message);
            }
        }
        if (flexible) reader.SkipTaggedFields();
        return new FindCoordinatorResponse(throttle, coordinators);
    }
}

/// <summary>One coordinator of a <see cref="FindCoordinatorResponse"/>; <see cref="Key"/> is empty before v4.</summary>
public sealed record Coordinator(string Key, int NodeId, string Host, int Port, ErrorCode ErrorCode, string? ErrorMessage);
