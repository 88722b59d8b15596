using System.Buffers.Binary;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// One request frame as the front received it: the fixed part of the request header, decoded, and the whole
/// frame (header and body, without the 4-byte size prefix). Only valid during <see cref="IFrameHandler.OnRequest"/>:
/// the front reuses the buffer afterwards, so a handler copies whatever it keeps.
/// </summary>
public readonly struct KafkaRequestFrame
{
    /// <summary>Wraps a frame; reads the api key, version and correlation id.</summary>
    /// <exception cref="ArgumentException">The frame is shorter than a request header.</exception>
    public KafkaRequestFrame(ReadOnlyMemory<byte> frame)
    {
        // api key, version, correlation id, client id length
        if (frame.Length < 10) throw new ArgumentException($"A request frame of {frame.Length} bytes has no complete header.", nameof(frame));
        Frame = frame;
        var span = frame.Span;
        ApiKey = BinaryPrimitives.ReadInt16BigEndian(span);
        ApiVersion = BinaryPrimitives.ReadInt16BigEndian(span[2..]);
        CorrelationId = BinaryPrimitives.ReadInt32BigEndian(span[4..]);
    }

    /// <summary>The request's api key (see <see cref="ApiKeys"/>).</summary>
    public short ApiKey { get; }

    /// <summary>The request's api version.</summary>
    public short ApiVersion { get; }

    /// <summary>The correlation id, which the response must echo.</summary>
    public int CorrelationId { get; }

    /// <summary>Header and body, without the size prefix.</summary>
    public ReadOnlyMemory<byte> Frame { get; }

    /// <summary>The client id of the header (decoded on each call).</summary>
    public string? ClientId
    {
        get
        {
            var reader = new ProtocolReader(Frame.Span[8..]);
            return reader.ReadString();
        }
    }

    /// <summary>
    /// Where the body starts. <paramref name="flexibleHeader"/> says whether the header is v2 (with tagged fields),
    /// which holds for the flexible versions of the API: the caller knows them for the APIs it reads.
    /// </summary>
    public int BodyOffset(bool flexibleHeader)
    {
        var reader = new ProtocolReader(Frame.Span);
        reader.Skip(8);
        var clientIdLength = reader.ReadInt16();
        if (clientIdLength > 0) reader.Skip(clientIdLength);
        if (flexibleHeader) reader.SkipTaggedFields();
        return reader.Position;
    }

    /// <summary>The body; see <see cref="BodyOffset"/> for <paramref name="flexibleHeader"/>.</summary>
    public ReadOnlySpan<byte> Body(bool flexibleHeader) => Frame.Span[BodyOffset(flexibleHeader)..];

    /// <inheritdoc/>
    public override string ToString() => $"request(api {ApiKey} v{ApiVersion}, correlation id {CorrelationId}, {Frame.Length} bytes)";
}
