using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// ApiVersionsResponse.json (key 18). A broker that does not support the requested version answers
/// UNSUPPORTED_VERSION in the v0 layout; callers then retry at a lower version, reading nothing but the
/// error code of the failed attempt (some brokers send a body that does not parse at the asked version).
/// </summary>
public sealed record ApiVersionsResponse(ErrorCode ErrorCode, IReadOnlyDictionary<ApiKey, ApiVersionRange> ApiKeys, int ThrottleTimeMs) : IKafkaResponse
{
    ApiKey IKafkaResponse.ApiKey => ApiKey.ApiVersions;

    /// <summary>Reads just the leading error code, which has the same place at every version.</summary>
    public static ErrorCode PeekErrorCode(ReadOnlySpan<byte> body) => (ErrorCode)new ProtocolReader(body).ReadInt16();

    public static ApiVersionsResponse Parse(ReadOnlySpan<byte> body, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.ApiVersions, version);
        var reader = new ProtocolReader(body);
        var error = (ErrorCode)reader.ReadInt16();
        var count = reader.ReadArrayLength(flexible);
        var keys = new Dictionary<ApiKey, ApiVersionRange>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            var key = (ApiKey)reader.ReadInt16();
            var min = reader.ReadInt16();
            var max = reader.ReadInt16();
            if (flexible) reader.SkipTaggedFields();
            keys[key] = new ApiVersionRange(min, max);
        }
        var throttle = version >= 1 ? reader.ReadInt32() : 0;
        if (flexible) reader.SkipTaggedFields();
        return new ApiVersionsResponse(error, keys, throttle);
    }

    /// <summary>
    /// Server side: writes the body at <paramref name="version"/> (0-3; v3 flexible, with no tagged fields such as
    /// the supported features), keys in ascending order.
    /// </summary>
    public void Write(ref ProtocolWriter writer, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.ApiVersions, version);
        writer.WriteInt16((short)ErrorCode);
        writer.WriteArrayLength(ApiKeys.Count, flexible);
        foreach (var (key, range) in ApiKeys.OrderBy(k => k.Key))
        {
            writer.WriteInt16((short)key);
            writer.WriteInt16(range.Min);
            writer.WriteInt16(range.Max);
            if (flexible) writer.WriteEmptyTaggedFields();
        }
        if (version >= 1) writer.WriteInt32(ThrottleTimeMs);
        if (flexible) writer.WriteEmptyTaggedFields();
    }

    /// <summary>The version to use for <paramref name="key"/>: the highest both sides speak, or -1.</summary>
    public short Negotiate(ApiKey key)
    {
        if (!ApiKeys.TryGetValue(key, out var broker)) return -1;
        return ClientApiVersions.For(key).HighestCommon(broker);
    }
}
