using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Framing;

/// <summary>ResponseHeader.json: the correlation id, plus tagged fields in v1.</summary>
public static class ResponseHeader
{
    /// <summary>Reads only the correlation id, to find which request a frame answers.</summary>
    public static int PeekCorrelationId(ReadOnlySpan<byte> frame)
    {
        var reader = new ProtocolReader(frame);
        return reader.ReadInt32();
    }

    /// <summary>Consumes the header of a response to <paramref name="key"/> at <paramref name="version"/>.</summary>
    public static int Read(ref ProtocolReader reader, ApiKey key, short version)
    {
        var correlationId = reader.ReadInt32();
        if (ClientApiVersions.ResponseHeaderVersion(key, version) >= 1) reader.SkipTaggedFields();
        return correlationId;
    }
}
