using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>One partition to read from, at an offset.</summary>
public readonly record struct FetchPartition(int Partition, long FetchOffset, int MaxBytes);

/// <summary>
/// FetchRequest.json (key 1), versions 4-11 only (the non-flexible ones with RecordBatch v2 and
/// log start offsets). The producer never fetches: tests use it to read raw batches, with their
/// producer ids and sequence numbers, which consumers hide. No fetch sessions (session id 0, epoch -1).
/// <see cref="IsolationLevel"/> is 0 (read_uncommitted) or 1 (read_committed: the broker answers up to the last
/// stable offset and lists the aborted transactions).
/// </summary>
public sealed record FetchRequest(string Topic, IReadOnlyList<FetchPartition> Partitions, int MaxWaitMs = 100, int MinBytes = 1, int MaxBytes = 64 * 1024 * 1024, sbyte IsolationLevel = 0) : IKafkaRequest
{
    public ApiKey ApiKey => ApiKey.Fetch;

    public void WriteBody(ref ProtocolWriter writer, short version)
    {
        if (version is < 4 or > 11) throw new ArgumentOutOfRangeException(nameof(version), version, "Fetch is implemented for v4-v11.");
        writer.WriteInt32(-1); // replica id: a consumer
        writer.WriteInt32(MaxWaitMs);
        writer.WriteInt32(MinBytes);
        writer.WriteInt32(MaxBytes);
        writer.WriteInt8(IsolationLevel);
        if (version >= 7)
        {
            writer.WriteInt32(0); // session id
            writer.WriteInt32(-1); // session epoch: full fetch, no session
        }
        writer.WriteArrayLength(1, false);
        writer.WriteString(Topic);
        writer.WriteArrayLength(Partitions.Count, false);
        foreach (var p in Partitions)
        {
            writer.WriteInt32(p.Partition);
            if (version >= 9) writer.WriteInt32(-1); // current leader epoch: unknown
            writer.WriteInt64(p.FetchOffset);
            if (version >= 5) writer.WriteInt64(-1); // log start offset (followers only)
            writer.WriteInt32(p.MaxBytes);
        }
        if (version >= 7) writer.WriteArrayLength(0, false); // forgotten topics
        if (version >= 11) writer.WriteString("");
    }
}
