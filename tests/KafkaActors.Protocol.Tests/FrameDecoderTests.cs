using KafkaActors.Protocol.Framing;
using Xunit;

namespace KafkaActors.Protocol.Tests;

public class FrameDecoderTests
{
    [Fact]
    public void Frames_split_across_arbitrary_chunks_come_out_whole_and_in_order()
    {
        var stream = new List<byte>();
        var frames = new List<byte[]>();
        var random = new Random(42);
        for (var i = 0; i < 200; i++)
        {
            var frame = new byte[random.Next(0, 3000)];
            random.NextBytes(frame);
            frames.Add(frame);
            stream.AddRange([(byte)(frame.Length >> 24), (byte)(frame.Length >> 16), (byte)(frame.Length >> 8), (byte)frame.Length]);
            stream.AddRange(frame);
        }

        using var decoder = new FrameDecoder(initialCapacity: 16);
        var all = stream.ToArray();
        var received = new List<byte[]>();
        var offset = 0;
        while (offset < all.Length)
        {
            var chunk = Math.Min(random.Next(1, 5000), all.Length - offset);
            decoder.Append(all.AsSpan(offset, chunk));
            offset += chunk;
            while (decoder.TryReadFrame(out var frame)) received.Add(frame.ToArray());
        }

        Assert.Equal(frames.Count, received.Count);
        for (var i = 0; i < frames.Count; i++) Assert.Equal(frames[i], received[i]);
        Assert.Equal(0, decoder.Buffered);
    }

    [Fact]
    public void Negative_or_huge_frame_size_is_a_protocol_error()
    {
        using var decoder = new FrameDecoder(maxFrameSize: 1000);
        decoder.Append([0x00, 0x10, 0x00, 0x00]);
        Assert.Throws<KafkaProtocolException>(() => decoder.TryReadFrame(out _));
    }
}
