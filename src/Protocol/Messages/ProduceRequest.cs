using System.Buffers;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>One partition's records in a Produce request: exactly one RecordBatch v2 (brokers reject more from v3 on).</summary>
public readonly record struct ProducePartitionData(string Topic, int Partition, ArraySegment<byte> Records);

/// <summary>
/// ProduceRequest.json (key 0), versions 3-11 (flexible 9+). <see cref="Partitions"/> must be grouped by
/// topic (all partitions of a topic adjacent), as the wire format nests partitions under topics.
/// </summary>
public sealed class ProduceRequest(string? transactionalId, short acks, int timeoutMs, IReadOnlyList<ProducePartitionData> partitions) : IKafkaRequest
{
    public string? TransactionalId { get; } = transactionalId;
    public short Acks { get; } = acks;
    public int TimeoutMs { get; } = timeoutMs;
    public IReadOnlyList<ProducePartitionData> Partitions { get; } = partitions;

    public ApiKey ApiKey => ApiKey.Produce;

    /// <summary>Writes the whole body contiguously, copying the record batches.</summary>
    public void WriteBody(ref ProtocolWriter writer, short version) => Write(ref writer, version, null, null);

    /// <summary>
    /// Writes a complete frame without copying record batches (a gather write): everything but the
    /// batches goes into <paramref name="envelope"/>, and <paramref name="segments"/> receives the frame
    /// in order as slices of the envelope and of the batches' own arrays. Returns the frame's length.
    /// </summary>
    public int EncodeGather(PooledBufferWriter envelope, List<ArraySegment<byte>> segments, short version, int correlationId, string? clientId)
    {
        var frameStart = RequestEncoder.BeginFrame(envelope, new RequestHeader(ApiKey.Produce, version, correlationId, clientId));
        var cuts = ArrayPool<int>.Shared.Rent(Math.Max(1, Partitions.Count)); // pooled: a request allocates nothing per partition
        try
        {
            var writer = new ProtocolWriter(envelope);
            var external = Write(ref writer, version, envelope, cuts);
            var length = RequestEncoder.EndFrame(envelope, frameStart, external);

            // The envelope may have been reallocated while growing: build slices only now.
            var buffer = envelope.Buffer;
            var from = frameStart;
            for (var i = 0; i < Partitions.Count; i++)
            {
                segments.Add(new ArraySegment<byte>(buffer, from, cuts[i] - from));
                segments.Add(Partitions[i].Records);
                from = cuts[i];
            }
            segments.Add(new ArraySegment<byte>(buffer, from, envelope.WrittenCount - from));
            return length;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(cuts);
        }
    }

    /// <summary>Writes the body; with <paramref name="cuts"/> set, records where each batch belongs (cuts[i] for Partitions[i]) instead of copying it.</summary>
    private int Write(ref ProtocolWriter writer, short version, PooledBufferWriter? envelope, int[]? cuts)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.Produce, version);
        writer.WriteString(TransactionalId, flexible);
        writer.WriteInt16(Acks);
        writer.WriteInt32(TimeoutMs);

        writer.WriteArrayLength(CountTopics(), flexible);
        var external = 0;
        var i = 0;
        while (i < Partitions.Count)
        {
            var topic = Partitions[i].Topic;
            var end = i;
            while (end < Partitions.Count && Partitions[end].Topic == topic) end++;

            writer.WriteString(topic, flexible);
            writer.WriteArrayLength(end - i, flexible);
            for (; i < end; i++)
            {
                var data = Partitions[i];
                writer.WriteInt32(data.Partition);
                writer.WriteBytesLength(data.Records.Count, flexible);
                if (cuts is null) writer.WriteRaw(data.Records);
                else
                {
                    cuts[i] = envelope!.WrittenCount;
                    external += data.Records.Count;
                }
                if (flexible) writer.WriteEmptyTaggedFields();
            }
            if (flexible) writer.WriteEmptyTaggedFields();
        }
        if (flexible) writer.WriteEmptyTaggedFields();
        return external;
    }

    /// <summary>Counts the topics, checking each topic's partitions are adjacent; compares run starts only, without a set (no garbage per request).</summary>
    private int CountTopics()
    {
        var count = 0;
        for (var i = 0; i < Partitions.Count; i++)
        {
            var topic = Partitions[i].Topic;
            if (i > 0 && Partitions[i - 1].Topic == topic) continue;
            for (var j = 0; j < i; j++)
                if (Partitions[j].Topic == topic) throw new ArgumentException($"Partitions of topic '{topic}' are not adjacent.");
            count++;
        }
        return count;
    }
}
