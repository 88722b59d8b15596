using System.Buffers.Binary;
using System.Net;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Primitives;
using KafkaActors.Testing.RawLog;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// One OffsetCommit (key 8) sent straight to a mock broker, bypassing the front: how <see cref="TransactionalOffsetStore"/>
/// makes a committed transaction's offsets the group's committed offsets. Encoded here by hand because the producer's
/// protocol library does not speak OffsetCommit. Stateless; thread-safe; each call opens and closes its own connection.
/// </summary>
/// <remarks>
/// Version 5 (OffsetCommitRequest.json): no retention time (v2-4), no leader epoch (v6+), not flexible (v8+). The leader
/// epoch is left out on purpose: the mock checks a sent epoch against the partition's current one, so a leader move
/// between TxnOffsetCommit and EndTxn would fail the commit, which Kafka's marker write never does; and the mock stores no
/// epoch anyway (its OffsetFetch answers the partition's current leader epoch). With generation -1 and an empty member id
/// this is a "simple" commit, which Kafka and the mock (2.16.0 source: no group, no checks) accept for a group without
/// members; with the generation and member id of a live member the mock checks them as Kafka would.
/// </remarks>
internal static class SimpleOffsetCommit
{
    private const short OffsetCommitKey = 8;
    private const short Version = 5;

    /// <summary>
    /// Commits <paramref name="offsets"/> (all of group <paramref name="groupId"/>) at <paramref name="broker"/>; returns
    /// each partition's error code.
    /// </summary>
    /// <exception cref="IOException">The connection failed or closed.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">The broker refused the connection (set down).</exception>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    public static IReadOnlyDictionary<(string Topic, int Partition), ErrorCode> Send(IPEndPoint broker, string groupId, int generationId,
        string memberId, IReadOnlyCollection<PendingTransactionalOffset> offsets, TimeSpan timeout)
    {
        using var client = KafkaWireClient.Connect(broker.Address.ToString(), broker.Port, timeout);
        const int correlationId = 1;
        using var frame = new PooledBufferWriter();
        Encode(frame, correlationId, groupId, generationId, memberId, offsets);
        client.SendAll(frame.WrittenSpan);
        return Parse(client.ReceiveFrame(), correlationId);
    }

    private static void Encode(PooledBufferWriter output, int correlationId, string groupId, int generationId, string memberId,
        IReadOnlyCollection<PendingTransactionalOffset> offsets)
    {
        var writer = new ProtocolWriter(output);
        writer.WriteInt32(0); // size, patched below
        // Request header v1.
        writer.WriteInt16(OffsetCommitKey);
        writer.WriteInt16(Version);
        writer.WriteInt32(correlationId);
        writer.WriteString(KafkaWireClient.ClientId);
        // Body v5.
        writer.WriteString(groupId);
        writer.WriteInt32(generationId);
        writer.WriteString(memberId);
        var topics = offsets.GroupBy(o => o.Topic).ToArray();
        writer.WriteArrayLength(topics.Length, flexible: false);
        foreach (var topic in topics)
        {
            writer.WriteString(topic.Key);
            var partitions = topic.ToArray();
            writer.WriteArrayLength(partitions.Length, flexible: false);
            foreach (var partition in partitions)
            {
                writer.WriteInt32(partition.Partition);
                writer.WriteInt64(partition.Offset);
                writer.WriteString(partition.Metadata);
            }
        }
        BinaryPrimitives.WriteInt32BigEndian(output.WrittenSpanMutable, output.WrittenCount - 4);
    }

    private static Dictionary<(string Topic, int Partition), ErrorCode> Parse(byte[] frame, int correlationId)
    {
        // Response header v0, then ThrottleTimeMs (v3+) and the topics.
        var reader = new ProtocolReader(frame);
        var answered = reader.ReadInt32();
        if (answered != correlationId)
            throw new IOException($"OffsetCommit answered correlation id {answered}, expected {correlationId}.");
        reader.ReadInt32();
        var result = new Dictionary<(string Topic, int Partition), ErrorCode>();
        var topicCount = reader.ReadArrayLength(flexible: false);
        for (var t = 0; t < topicCount; t++)
        {
            var topic = reader.ReadRequiredString(flexible: false);
            var partitionCount = reader.ReadArrayLength(flexible: false);
            for (var p = 0; p < partitionCount; p++)
            {
                var partition = reader.ReadInt32();
                result[(topic, partition)] = (ErrorCode)reader.ReadInt16();
            }
        }
        return result;
    }
}
