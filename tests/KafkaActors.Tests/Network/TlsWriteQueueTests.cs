using Akka.Actor;
using Akka.IO;
using KafkaActors.Network.Transport;
using Xunit;

namespace KafkaActors.Tests.Network;

/// <summary>TlsWriteQueue on its own: gathering writes into a buffer, cutting large ones, and which acks each written buffer releases.</summary>
public sealed class TlsWriteQueueTests
{
    private sealed class Ack(string name) : Tcp.Event
    {
        public string Name { get; } = name;
    }

    private static Tcp.Write Write(string text, string? ack, int cutAt = -1)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        var data = cutAt < 0
            ? ByteString.FromBytes(bytes)
            : ByteString.FromBytes(new List<ArraySegment<byte>> { new(bytes, 0, cutAt), new(bytes, cutAt, bytes.Length - cutAt) });
        return ack is null ? Tcp.Write.Create(data) : Tcp.Write.Create(data, new Ack(ack));
    }

    private static (string Bytes, string Acks) FillAndComplete(TlsWriteQueue queue, byte[] buffer)
    {
        var count = queue.Fill(buffer);
        var acks = new List<string>();
        while (queue.TryTakeWritten(out var written))
            if (written.WantsAck) acks.Add(((Ack)written.Ack).Name);
        return (System.Text.Encoding.ASCII.GetString(buffer, 0, count), string.Join(",", acks));
    }

    [Fact]
    public void Tls_write_queue_gathers_small_writes_and_cuts_large_ones_acking_each_after_its_last_byte()
    {
        var queue = new TlsWriteQueue();
        queue.Enqueue(Write("abc", "a", cutAt: 1), ActorRefs.Nobody);
        queue.Enqueue(Write("", "empty"), ActorRefs.Nobody);
        queue.Enqueue(Write("", null), ActorRefs.Nobody); // asks for nothing: not even queued
        queue.Enqueue(Write("defghijklmnopqrstu", "long", cutAt: 10), ActorRefs.Nobody);
        queue.Enqueue(Write("vw", null), ActorRefs.Nobody);
        queue.Enqueue(Write("xyz", "x"), ActorRefs.Nobody);

        var buffer = new byte[8];
        Assert.Equal(("abcdefgh", "a,empty"), FillAndComplete(queue, buffer));
        Assert.Equal(("ijklmnop", ""), FillAndComplete(queue, buffer));
        Assert.Equal(("qrstuvwx", "long"), FillAndComplete(queue, buffer));
        Assert.False(queue.IsEmpty);
        Assert.Equal(("yz", "x"), FillAndComplete(queue, buffer));
        Assert.True(queue.IsEmpty);
        Assert.False(queue.HasQueued);
    }

    [Fact]
    public void Tls_write_queue_acks_a_write_that_ends_exactly_at_the_buffers_end_with_that_buffer()
    {
        var queue = new TlsWriteQueue();
        queue.Enqueue(Write("abcd", "1"), ActorRefs.Nobody);
        queue.Enqueue(Write("", "2"), ActorRefs.Nobody);
        var buffer = new byte[4];
        Assert.Equal(("abcd", "1"), FillAndComplete(queue, buffer));
        Assert.Equal(("", "2"), FillAndComplete(queue, buffer));
        Assert.True(queue.IsEmpty);
    }
}
