using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// One partition's answer to a Fetch: watermarks, the raw record batches, the last stable offset and (for a
/// read_committed fetch) the aborted transactions overlapping the records returned.
/// </summary>
public sealed record FetchedPartition(string Topic, int Partition, ErrorCode ErrorCode, long HighWatermark, long LogStartOffset, byte[] Records,
    long LastStableOffset = -1, IReadOnlyList<FetchAbortedTransaction>? AbortedTransactions = null);

/// <summary>An aborted transaction of a Fetch answer: its producer and the first offset it wrote in the partition.</summary>
public readonly record struct FetchAbortedTransaction(long ProducerId, long FirstOffset);

/// <summary>FetchResponse.json (key 1), versions 4-11.</summary>
public sealed record FetchResponse(ErrorCode ErrorCode, IReadOnlyList<FetchedPartition> Partitions)
{
    public static FetchResponse Parse(ReadOnlySpan<byte> body, short version)
    {
        var reader = new ProtocolReader(body);
        reader.ReadInt32(); // throttle
        var error = ErrorCode.None;
        if (version >= 7)
        {
            error = (ErrorCode)reader.ReadInt16();
            reader.ReadInt32(); // session id
        }
        var partitions = new List<FetchedPartition>();
        var topics = reader.ReadArrayLength(false);
        for (var t = 0; t < topics; t++)
        {
            var topic = reader.ReadRequiredString(false);
            var count = reader.ReadArrayLength(false);
            for (var p = 0; p < count; p++)
            {
                var index = reader.ReadInt32();
                var partitionError = (ErrorCode)reader.ReadInt16();
                var highWatermark = reader.ReadInt64();
                var lastStable = reader.ReadInt64();
                var logStart = version >= 5 ? reader.ReadInt64() : -1;
                var abortedCount = reader.ReadArrayLength(false);
                var aborted = abortedCount > 0 ? new FetchAbortedTransaction[abortedCount] : [];
                for (var a = 0; a < abortedCount; a++)
                    aborted[a] = new FetchAbortedTransaction(reader.ReadInt64(), reader.ReadInt64());
                if (version >= 11) reader.ReadInt32(); // preferred read replica
                var records = reader.TryReadBytes(false, out var bytes) ? bytes.ToArray() : [];
                partitions.Add(new FetchedPartition(topic, index, partitionError, highWatermark, logStart, records, lastStable, aborted));
            }
        }
        return new FetchResponse(error, partitions);
    }
}
