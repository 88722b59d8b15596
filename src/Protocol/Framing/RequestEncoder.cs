using System.Buffers.Binary;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Framing;

/// <summary>Writes complete size-prefixed request frames.</summary>
public static class RequestEncoder
{
    /// <summary>Appends <c>int32 size | header | body</c> to <paramref name="output"/>; returns the frame's length.</summary>
    public static int Encode(PooledBufferWriter output, IKafkaRequest request, short version, int correlationId, string? clientId)
    {
        var start = BeginFrame(output, new RequestHeader(request.ApiKey, version, correlationId, clientId));
        var writer = new ProtocolWriter(output);
        request.WriteBody(ref writer, version);
        return EndFrame(output, start, 0);
    }

    /// <summary>Reserves the size prefix and writes the header; returns where the frame starts.</summary>
    public static int BeginFrame(PooledBufferWriter output, in RequestHeader header)
    {
        var start = output.WrittenCount;
        var writer = new ProtocolWriter(output);
        writer.WriteInt32(0); // patched by EndFrame
        header.Write(ref writer);
        return start;
    }

    /// <summary>
    /// Patches the size prefix of the frame begun at <paramref name="start"/>. <paramref name="externalBytes"/>
    /// counts bytes that belong to the frame but travel in other buffers (record batches in a gather write).
    /// </summary>
    public static int EndFrame(PooledBufferWriter output, int start, int externalBytes)
    {
        var length = output.WrittenCount - start + externalBytes;
        BinaryPrimitives.WriteInt32BigEndian(output.WrittenSpanMutable.Slice(start, 4), length - 4);
        return length;
    }
}
