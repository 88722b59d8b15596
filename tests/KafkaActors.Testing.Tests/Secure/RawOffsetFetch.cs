using System.Buffers.Binary;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Primitives;
using KafkaActors.Testing.RawLog;

namespace KafkaActors.Testing.Tests.Secure;

/// <summary>
/// OffsetFetch v1 on the wire, for what Confluent's Committed() does not return: the committed metadata string.
/// Stateless; thread-safe.
/// </summary>
internal static class RawOffsetFetch
{
    /// <summary>The group's committed offset and metadata for each partition (offset -1 where none), asked of <paramref name="broker"/> (host:port).</summary>
    public static IReadOnlyDictionary<int, (long Offset, string? Metadata)> Read(string broker, string groupId, string topic, params int[] partitions)
    {
        using var client = KafkaWireClient.Connect(broker);
        using var frame = new PooledBufferWriter();
        var writer = new ProtocolWriter(frame);
        writer.WriteInt32(0);
        writer.WriteInt16(9); // OffsetFetch
        writer.WriteInt16(1);
        writer.WriteInt32(7);
        writer.WriteString(KafkaWireClient.ClientId);
        writer.WriteString(groupId);
        writer.WriteArrayLength(1, flexible: false);
        writer.WriteString(topic);
        writer.WriteArrayLength(partitions.Length, flexible: false);
        foreach (var partition in partitions) writer.WriteInt32(partition);
        BinaryPrimitives.WriteInt32BigEndian(frame.WrittenSpanMutable, frame.WrittenCount - 4);
        client.SendAll(frame.WrittenSpan);

        var reader = new ProtocolReader(client.ReceiveFrame());
        if (reader.ReadInt32() != 7) throw new InvalidOperationException("OffsetFetch answered another correlation id.");
        var result = new Dictionary<int, (long, string?)>();
        var topics = reader.ReadArrayLength(flexible: false);
        for (var t = 0; t < topics; t++)
        {
            reader.ReadRequiredString(flexible: false);
            var count = reader.ReadArrayLength(flexible: false);
            for (var p = 0; p < count; p++)
            {
                var partition = reader.ReadInt32();
                var offset = reader.ReadInt64();
                var metadata = reader.ReadString();
                var error = (ErrorCode)reader.ReadInt16();
                if (error != ErrorCode.None) throw new InvalidOperationException($"OffsetFetch {topic}[{partition}]: {error}");
                result[partition] = (offset, metadata);
            }
        }
        return result;
    }
}
