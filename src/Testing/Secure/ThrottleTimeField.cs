using System.Buffers.Binary;
using KafkaActors.Protocol.Primitives;
using KafkaActors.Testing.Secure.Idempotence;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// Finds and overwrites ThrottleTimeMs in a response frame (correlation id, header, body). Most responses carry it as
/// their first body field (from the version given below); Produce carries it after its topics. ApiVersions and the SASL
/// APIs are left alone (a client must read them before it can be throttled). Stateless; thread-safe.
/// </summary>
internal static class ThrottleTimeField
{
    /// <summary>api key → (first version with ThrottleTimeMs, first flexible version), from the *Response.json specs.</summary>
    private static readonly Dictionary<short, (short Since, short Flexible)> Layout = new()
    {
        [0] = (1, 9),    // Produce: at the end
        [1] = (1, 12),   // Fetch
        [2] = (2, 6),    // ListOffsets
        [3] = (3, 9),    // Metadata
        [8] = (3, 8),    // OffsetCommit
        [9] = (3, 6),    // OffsetFetch
        [10] = (1, 3),   // FindCoordinator
        [11] = (2, 6),   // JoinGroup
        [12] = (1, 4),   // Heartbeat
        [13] = (1, 4),   // LeaveGroup
        [14] = (1, 4),   // SyncGroup
        [22] = (0, 2),   // InitProducerId
        [24] = (0, 3),   // AddPartitionsToTxn
        [25] = (0, 3),   // AddOffsetsToTxn
        [26] = (0, 3),   // EndTxn
        [28] = (0, 3),   // TxnOffsetCommit
    };

    /// <summary>Sets the field if this api key and version have one; false otherwise (or for a frame it cannot read).</summary>
    public static bool TrySet(Span<byte> frame, short apiKey, short apiVersion, int throttleMs)
    {
        if (!Layout.TryGetValue(apiKey, out var layout) || apiVersion < layout.Since) return false;
        var flexible = apiVersion >= layout.Flexible;
        try
        {
            var offset = Find(frame, apiKey, apiVersion, flexible);
            if (offset < 0 || offset + 4 > frame.Length) return false;
            BinaryPrimitives.WriteInt32BigEndian(frame[offset..], throttleMs);
            return true;
        }
        catch (Exception e) when (e is KafkaActors.Protocol.KafkaProtocolException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    private static int Find(ReadOnlySpan<byte> frame, short apiKey, short apiVersion, bool flexible)
    {
        var reader = new ProtocolReader(frame);
        reader.Skip(4); // correlation id
        if (flexible) reader.SkipTaggedFields(); // response header v1
        if (apiKey != 0) return reader.Position;
        return ProduceResponseLayout.ThrottleTimeOffset(frame, apiVersion);
    }
}
