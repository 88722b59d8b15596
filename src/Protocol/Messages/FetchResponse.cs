using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>One partition's answer to a Fetch: watermarks and the raw record batches.</summary>
public sealed record FetchedPartition(string Topic, int Partition, ErrorCode ErrorCode, long HighWatermark, long LogStartOffset, byte[] Records);

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
                reader.ReadInt64(); // last stable offset
                var logStart = version >= 5 ? reader.ReadInt64() : -1;
                var aborted = reader.ReadArrayLength(false);
                for (var a = 0; a < aborted; a++)
                {
                    reader.ReadInt64();
                    reader.ReadInt64();
                }
                if (version >= 11) reader.ReadInt32(); // preferred read replica
                var records = reader.TryReadBytes(false, out var bytes) ? bytes.ToArray() : [];
                partitions.Add(new FetchedPartition(topic, index, partitionError, highWatermark, logStart, records));
            }
        }
        return new FetchResponse(error, partitions);
    }
}
