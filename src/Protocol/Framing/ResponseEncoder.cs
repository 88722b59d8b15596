using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Framing;

/// <summary>
/// Writes complete size-prefixed response frames (<c>int32 size | response header | body</c>): the server side of
/// <see cref="RequestEncoder"/>, for test brokers and relays. Stateless; thread-safe.
/// </summary>
public static class ResponseEncoder
{
    /// <summary>Appends the frame answering <paramref name="correlationId"/>; returns the frame's length.</summary>
    public static int Encode(PooledBufferWriter output, IKafkaResponse response, short version, int correlationId)
    {
        var start = BeginFrame(output, response.ApiKey, version, correlationId);
        var writer = new ProtocolWriter(output);
        response.Write(ref writer, version);
        return RequestEncoder.EndFrame(output, start, 0);
    }

    /// <summary>
    /// Reserves the size prefix and writes the response header (v1, with empty tagged fields, for flexible versions
    /// except ApiVersions, see <see cref="ClientApiVersions.ResponseHeaderVersion"/>); returns where the frame starts.
    /// Finish with <see cref="RequestEncoder.EndFrame"/>.
    /// </summary>
    public static int BeginFrame(PooledBufferWriter output, ApiKey key, short version, int correlationId)
    {
        var start = output.WrittenCount;
        var writer = new ProtocolWriter(output);
        writer.WriteInt32(0); // patched by EndFrame
        writer.WriteInt32(correlationId);
        if (ClientApiVersions.ResponseHeaderVersion(key, version) >= 1) writer.WriteEmptyTaggedFields();
        return start;
    }
}
