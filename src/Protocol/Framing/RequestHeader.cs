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

    /// <summary>
    /// Server side: reads the fields every header v1/v2 starts with (api key, version, correlation id, client id),
    /// but not the v2 tagged fields, whose presence depends on the API's flexibility. Enough to route any frame,
    /// even one for an API this library does not know.
    /// </summary>
    public static RequestHeader Peek(ReadOnlySpan<byte> frame)
    {
        var reader = new ProtocolReader(frame);
        return ReadFixed(ref reader);
    }

    /// <summary>
    /// Server side: consumes the whole header of a request to an API listed in <see cref="ClientApiVersions"/>,
    /// leaving <paramref name="reader"/> at the body. Throws <see cref="KafkaProtocolException"/> for other APIs.
    /// </summary>
    public static RequestHeader Read(ref ProtocolReader reader)
    {
        var header = ReadFixed(ref reader);
        bool flexible;
        try
        {
            flexible = ClientApiVersions.IsFlexible(header.ApiKey, header.ApiVersion);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new KafkaProtocolException($"Cannot read the header of a request to API {(short)header.ApiKey}: its flexible versions are unknown.");
        }
        if (flexible) reader.SkipTaggedFields();
        return header;
    }

    private static RequestHeader ReadFixed(ref ProtocolReader reader)
    {
        var key = (ApiKey)reader.ReadInt16();
        var version = reader.ReadInt16();
        var correlationId = reader.ReadInt32();
        var clientId = reader.ReadString();
        return new RequestHeader(key, version, correlationId, clientId);
    }
}
