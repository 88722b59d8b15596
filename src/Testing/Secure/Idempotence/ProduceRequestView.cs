using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Testing.Secure.Idempotence;

/// <summary>One partition of a Produce request as the front received it; <see cref="Records"/> is null for a null records field.</summary>
internal readonly record struct ProduceRequestPartition(string Topic, int Partition, ReadOnlyMemory<byte>? Records);

/// <summary>
/// A Produce request (ProduceRequest.json v3-11, flexible from v9) read on the broker side: the fields the front decides
/// on, and the partitions as slices of the received frame. Can write the same request with fewer partitions. Only valid
/// while the frame it was read from is (see <see cref="KafkaRequestFrame"/>). Immutable; not thread-safe to share
/// beyond that frame's lifetime.
/// </summary>
internal sealed class ProduceRequestView
{
    public const short MinVersion = 3;
    public const short MaxVersion = 11;

    private readonly int _bodyOffset;
    private readonly ReadOnlyMemory<byte> _frame;

    private ProduceRequestView(ReadOnlyMemory<byte> frame, int bodyOffset, short version, string? transactionalId, short acks, int timeoutMs, List<ProduceRequestPartition> partitions)
    {
        _frame = frame;
        _bodyOffset = bodyOffset;
        Version = version;
        TransactionalId = transactionalId;
        Acks = acks;
        TimeoutMs = timeoutMs;
        Partitions = partitions;
    }

    public short Version { get; }
    public bool Flexible => Version >= 9;
    public string? TransactionalId { get; }
    public short Acks { get; }
    public int TimeoutMs { get; }

    /// <summary>In request order (grouped by topic, as on the wire).</summary>
    public IReadOnlyList<ProduceRequestPartition> Partitions { get; }

    /// <summary>Reads a Produce frame; throws <see cref="KafkaActors.Protocol.KafkaProtocolException"/> on a malformed one.</summary>
    public static ProduceRequestView Parse(in KafkaRequestFrame frame)
    {
        var flexible = frame.ApiVersion >= 9;
        var bodyOffset = frame.BodyOffset(flexible);
        var body = frame.Frame.Span[bodyOffset..];
        var reader = new ProtocolReader(body);
        var transactionalId = reader.ReadString(flexible);
        var acks = reader.ReadInt16();
        var timeout = reader.ReadInt32();
        var partitions = new List<ProduceRequestPartition>();
        var topics = reader.ReadArrayLength(flexible);
        for (var t = 0; t < topics; t++)
        {
            var topic = reader.ReadRequiredString(flexible);
            var count = reader.ReadArrayLength(flexible);
            for (var p = 0; p < count; p++)
            {
                var index = reader.ReadInt32();
                ReadOnlyMemory<byte>? records = null;
                if (reader.TryReadBytes(flexible, out var bytes))
                    records = frame.Frame.Slice(bodyOffset + reader.Position - bytes.Length, bytes.Length);
                if (flexible) reader.SkipTaggedFields();
                partitions.Add(new ProduceRequestPartition(topic, index, records));
            }
            if (flexible) reader.SkipTaggedFields();
        }
        if (flexible) reader.SkipTaggedFields();
        return new ProduceRequestView(frame.Frame, bodyOffset, frame.ApiVersion, transactionalId, acks, timeout, partitions);
    }

    /// <summary>
    /// The same request (same header, correlation id included) with only the partitions at <paramref name="indexes"/>
    /// (ascending), as a frame without the size prefix. None of them may have a null or empty records field.
    /// </summary>
    public byte[] WithPartitions(IReadOnlyList<int> indexes)
    {
        using var output = new PooledBufferWriter(_frame.Length);
        var writer = new ProtocolWriter(output);
        writer.WriteRaw(_frame.Span[.._bodyOffset]);
        writer.WriteString(TransactionalId, Flexible);
        writer.WriteInt16(Acks);
        writer.WriteInt32(TimeoutMs);
        var topics = 0;
        for (var i = 0; i < indexes.Count; i++)
            if (i == 0 || Partitions[indexes[i]].Topic != Partitions[indexes[i - 1]].Topic) topics++;
        writer.WriteArrayLength(topics, Flexible);
        var at = 0;
        while (at < indexes.Count)
        {
            var topic = Partitions[indexes[at]].Topic;
            var end = at;
            while (end < indexes.Count && Partitions[indexes[end]].Topic == topic) end++;
            writer.WriteString(topic, Flexible);
            writer.WriteArrayLength(end - at, Flexible);
            for (; at < end; at++)
            {
                var partition = Partitions[indexes[at]];
                var records = partition.Records ?? throw new InvalidOperationException("A partition without records must not be forwarded.");
                if (records.IsEmpty) throw new InvalidOperationException("An empty records field must not be forwarded (the mock crashes on it).");
                writer.WriteInt32(partition.Partition);
                writer.WriteBytesLength(records.Length, Flexible);
                writer.WriteRaw(records.Span);
                if (Flexible) writer.WriteEmptyTaggedFields();
            }
            if (Flexible) writer.WriteEmptyTaggedFields();
        }
        if (Flexible) writer.WriteEmptyTaggedFields();
        return output.ToArray();
    }
}
