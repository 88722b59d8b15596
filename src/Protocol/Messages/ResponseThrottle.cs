using System.Buffers.Binary;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// Quotas (KIP-219): which responses carry <c>throttle_time_ms</c>, where, and from which version the client must
/// hold back itself. Below that version the broker delays its answer by the throttle time instead, so the client
/// only reports it. The versions are those of Java's <c>AbstractResponse.shouldClientThrottle</c> overrides.
/// Stateless and thread-safe.
/// </summary>
public static class ResponseThrottle
{
    /// <summary>True when a response of <paramref name="apiKey"/> at <paramref name="version"/> asks the client to stop sending for its throttle time.</summary>
    public static bool ShouldClientThrottle(ApiKey apiKey, short version) => apiKey switch
    {
        ApiKey.Produce => version >= 6,
        ApiKey.Fetch => version >= 8,
        ApiKey.ListOffsets => version >= 3,
        ApiKey.Metadata => version >= 6,
        ApiKey.FindCoordinator => version >= 2,
        ApiKey.ApiVersions => version >= 2,
        ApiKey.InitProducerId or ApiKey.AddPartitionsToTxn or ApiKey.AddOffsetsToTxn or ApiKey.EndTxn or ApiKey.TxnOffsetCommit => version >= 1,
        _ => false, // SaslHandshake and SaslAuthenticate carry no throttle time
    };

    /// <summary>
    /// The throttle time of a response body (header removed) whose first field it is: Metadata v3+, FindCoordinator v1+,
    /// InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and TxnOffsetCommit; 0 for any other response, or a
    /// body too short to hold it. (Produce and ApiVersions have it further in: read it from their parsed responses.)
    /// </summary>
    public static int PeekLeading(ApiKey apiKey, short version, ReadOnlySpan<byte> body)
    {
        var leading = apiKey switch
        {
            ApiKey.Metadata => version >= 3,
            ApiKey.FindCoordinator => version >= 1,
            ApiKey.InitProducerId or ApiKey.AddPartitionsToTxn or ApiKey.AddOffsetsToTxn or ApiKey.EndTxn or ApiKey.TxnOffsetCommit => true,
            _ => false,
        };
        return leading && body.Length >= 4 ? Math.Max(0, BinaryPrimitives.ReadInt32BigEndian(body)) : 0;
    }
}
