using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Testing.Secure.Idempotence;

/// <summary>One partition of a broker's Produce response: the fields the front needs, and where its entry lies in the frame.</summary>
internal readonly record struct ProduceResponseEntry(
    string Topic, int Partition, ErrorCode ErrorCode, long BaseOffset, long LogAppendTimeMs, long LogStartOffset, int Start, int End);

/// <summary>
/// Reads and writes Produce response frames (ProduceResponse.json v3-11, flexible from v9; the frame holds the correlation
/// id and header but no size prefix) on the broker side: the front merges the mock's answer for the partitions it forwarded
/// with its own answers for the others, copying the mock's entries (tagged fields such as CurrentLeader included) as they
/// are. Stateless; thread-safe.
/// </summary>
internal static class ProduceResponseLayout
{
    /// <summary>The parsed response: its partitions, where the header ends, and where ThrottleTimeMs is.</summary>
    public sealed record Parsed(IReadOnlyList<ProduceResponseEntry> Entries, int HeaderEnd, int ThrottleOffset);

    public static Parsed Parse(ReadOnlySpan<byte> frame, short version)
    {
        var flexible = version >= 9;
        var reader = new ProtocolReader(frame);
        reader.Skip(4);
        if (flexible) reader.SkipTaggedFields();
        var headerEnd = reader.Position;
        var entries = new List<ProduceResponseEntry>();
        var topics = reader.ReadArrayLength(flexible);
        for (var t = 0; t < topics; t++)
        {
            var topic = reader.ReadRequiredString(flexible);
            var count = reader.ReadArrayLength(flexible);
            for (var p = 0; p < count; p++)
            {
                var start = reader.Position;
                var index = reader.ReadInt32();
                var error = (ErrorCode)reader.ReadInt16();
                var baseOffset = reader.ReadInt64();
                var appendTime = reader.ReadInt64();
                var logStart = version >= 5 ? reader.ReadInt64() : -1;
                if (version >= 8)
                {
                    var recordErrors = reader.ReadArrayLength(flexible);
                    for (var e = 0; e < recordErrors; e++)
                    {
                        reader.ReadInt32();
                        reader.ReadString(flexible);
                        if (flexible) reader.SkipTaggedFields();
                    }
                    reader.ReadString(flexible);
                }
                if (flexible) reader.SkipTaggedFields();
                entries.Add(new ProduceResponseEntry(topic, index, error, baseOffset, appendTime, logStart, start, reader.Position));
            }
            if (flexible) reader.SkipTaggedFields();
        }
        return new Parsed(entries, headerEnd, reader.Position);
    }

    /// <summary>Where ThrottleTimeMs starts in a Produce response frame.</summary>
    public static int ThrottleTimeOffset(ReadOnlySpan<byte> frame, short version) => Parse(frame, version).ThrottleOffset;

    /// <summary>
    /// Writes a response answering <paramref name="partitions"/> in this order (grouped by topic as the request was):
    /// each either a copy of the broker's entry (<see cref="Answer.FromBroker"/> set) or a local answer.
    /// <paramref name="broker"/> is the broker's frame when one was forwarded; its header, throttle time and trailing tagged
    /// fields are kept. Without it the frame is built for <paramref name="correlationId"/> with throttle time 0.
    /// </summary>
    public static byte[] Write(short version, int correlationId, IReadOnlyList<Answer> partitions, ReadOnlySpan<byte> broker, Parsed? parsed)
    {
        var flexible = version >= 9;
        using var output = new PooledBufferWriter(256);
        var writer = new ProtocolWriter(output);
        if (parsed is not null) writer.WriteRaw(broker[..parsed.HeaderEnd]);
        else
        {
            writer.WriteInt32(correlationId);
            if (flexible) writer.WriteEmptyTaggedFields();
        }
        var topics = 0;
        for (var i = 0; i < partitions.Count; i++)
            if (i == 0 || partitions[i].Topic != partitions[i - 1].Topic) topics++;
        writer.WriteArrayLength(topics, flexible);
        var at = 0;
        while (at < partitions.Count)
        {
            var topic = partitions[at].Topic;
            var end = at;
            while (end < partitions.Count && partitions[end].Topic == topic) end++;
            writer.WriteString(topic, flexible);
            writer.WriteArrayLength(end - at, flexible);
            for (; at < end; at++)
            {
                var answer = partitions[at];
                if (answer.FromBroker is { } entry) writer.WriteRaw(broker[entry.Start..entry.End]);
                else WriteLocal(ref writer, answer, version, flexible);
            }
            if (flexible) writer.WriteEmptyTaggedFields();
        }
        if (parsed is not null) writer.WriteRaw(broker[parsed.ThrottleOffset..]); // throttle time and the top-level tagged fields
        else
        {
            writer.WriteInt32(0);
            if (flexible) writer.WriteEmptyTaggedFields();
        }
        return output.ToArray();
    }

    private static void WriteLocal(ref ProtocolWriter writer, Answer answer, short version, bool flexible)
    {
        writer.WriteInt32(answer.Partition);
        writer.WriteInt16((short)answer.ErrorCode);
        writer.WriteInt64(answer.BaseOffset);
        writer.WriteInt64(answer.LogAppendTimeMs);
        if (version >= 5) writer.WriteInt64(answer.LogStartOffset);
        if (version >= 8)
        {
            var recordErrors = answer.RecordErrors ?? [];
            writer.WriteArrayLength(recordErrors.Count, flexible);
            foreach (var (batchIndex, message) in recordErrors)
            {
                writer.WriteInt32(batchIndex);
                writer.WriteString(message, flexible);
                if (flexible) writer.WriteEmptyTaggedFields();
            }
            writer.WriteString(answer.ErrorMessage, flexible);
        }
        if (flexible) writer.WriteEmptyTaggedFields();
    }

    /// <summary>One partition's answer: the broker's entry, or the front's own fields (RecordErrors from v8, KIP-467).</summary>
    public readonly record struct Answer(
        string Topic,
        int Partition,
        ProduceResponseEntry? FromBroker,
        ErrorCode ErrorCode = ErrorCode.None,
        long BaseOffset = -1,
        long LogAppendTimeMs = -1,
        long LogStartOffset = -1,
        string? ErrorMessage = null,
        IReadOnlyList<(int BatchIndex, string? Message)>? RecordErrors = null);
}
