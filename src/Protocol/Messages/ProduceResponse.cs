using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>One partition's outcome in a Produce response.</summary>
public readonly record struct PartitionProduceResponse(
    string Topic,
    int Partition,
    ErrorCode ErrorCode,
    long BaseOffset,
    long LogAppendTimeMs,
    long LogStartOffset,
    string? ErrorMessage);

/// <summary>ProduceResponse.json (key 0), versions 3-11 (flexible 9+). Tagged fields (v10 leader hints) are skipped.</summary>
public sealed record ProduceResponse(IReadOnlyList<PartitionProduceResponse> Partitions, int ThrottleTimeMs)
{
    public static ProduceResponse Parse(ReadOnlySpan<byte> body, short version)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.Produce, version);
        var reader = new ProtocolReader(body);
        var results = new List<PartitionProduceResponse>();
        var topicCount = reader.ReadArrayLength(flexible);
        for (var t = 0; t < topicCount; t++)
        {
            var topic = reader.ReadRequiredString(flexible);
            var partitionCount = reader.ReadArrayLength(flexible);
            for (var p = 0; p < partitionCount; p++)
            {
                var index = reader.ReadInt32();
                var error = (ErrorCode)reader.ReadInt16();
                var baseOffset = reader.ReadInt64();
                var appendTime = reader.ReadInt64();
                var logStart = version >= 5 ? reader.ReadInt64() : -1;
                string? message = null;
                if (version >= 8)
                {
                    var recordErrors = reader.ReadArrayLength(flexible);
                    for (var e = 0; e < recordErrors; e++)
                    {
                        reader.ReadInt32(); // BatchIndex
                        reader.ReadString(flexible); // BatchIndexErrorMessage
                        if (flexible) reader.SkipTaggedFields();
                    }
                    message = reader.ReadString(flexible);
                }
                if (flexible) reader.SkipTaggedFields();
                results.Add(new PartitionProduceResponse(topic, index, error, baseOffset, appendTime, logStart, message));
            }
            if (flexible) reader.SkipTaggedFields();
        }
        var throttle = reader.ReadInt32();
        if (flexible) reader.SkipTaggedFields();
        return new ProduceResponse(results, throttle);
    }
}
