using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Primitives;

namespace KafkaActors.Protocol.Messages;

/// <summary>
/// One partition's outcome in a Produce response. From v10 (KIP-951) a NOT_LEADER_OR_FOLLOWER answer may
/// name the current leader and its epoch (tagged field CurrentLeader); -1 when absent. From v8 (KIP-467)
/// <see cref="RecordErrors"/> names the records that failed validation; null when there are none.
/// </summary>
public readonly record struct PartitionProduceResponse(
    string Topic,
    int Partition,
    ErrorCode ErrorCode,
    long BaseOffset,
    long LogAppendTimeMs,
    long LogStartOffset,
    string? ErrorMessage,
    int CurrentLeaderId = -1,
    int CurrentLeaderEpoch = -1,
    IReadOnlyList<ProduceRecordError>? RecordErrors = null);

/// <summary>A record a broker refused (Produce v8+, KIP-467): its index in the batch, and why (BatchIndexErrorMessage, may be null).</summary>
public readonly record struct ProduceRecordError(int BatchIndex, string? Message);

/// <summary>A broker named in a Produce response (v10+, tagged field NodeEndpoints), for the leaders it reports.</summary>
public readonly record struct ProduceNodeEndpoint(int NodeId, string Host, int Port, string? Rack);

/// <summary>ProduceResponse.json (key 0), versions 3-11 (flexible 9+), with the v8 record errors (KIP-467) and the v10 leader hints (KIP-951); other tagged fields are skipped.</summary>
public sealed record ProduceResponse(IReadOnlyList<PartitionProduceResponse> Partitions, int ThrottleTimeMs, IReadOnlyList<ProduceNodeEndpoint>? NodeEndpoints = null)
{
    public static ProduceResponse Parse(ReadOnlySpan<byte> body, short version)
    {
        var results = new List<PartitionProduceResponse>();
        var throttle = ParseInto(body, version, results, null, out var endpoints);
        return new ProduceResponse(results, throttle, endpoints);
    }

    /// <summary>
    /// <see cref="Parse"/> without the response object, for a reader that parses many: the partitions are added to
    /// <paramref name="partitions"/>, and topic names come from <paramref name="topicNames"/> (when given) so a known
    /// topic is not decoded into a new string. Returns ThrottleTimeMs; NodeEndpoints is null when absent.
    /// </summary>
    public static int ParseInto(ReadOnlySpan<byte> body, short version, List<PartitionProduceResponse> partitions, Utf8StringCache? topicNames,
        out List<ProduceNodeEndpoint>? nodeEndpoints)
    {
        var flexible = ClientApiVersions.IsFlexible(ApiKey.Produce, version);
        var reader = new ProtocolReader(body);
        var results = partitions;
        var topicCount = reader.ReadArrayLength(flexible);
        for (var t = 0; t < topicCount; t++)
        {
            var topic = topicNames is null ? reader.ReadRequiredString(flexible) : topicNames.Get(reader.ReadRequiredStringBytes(flexible));
            var partitionCount = reader.ReadArrayLength(flexible);
            for (var p = 0; p < partitionCount; p++)
            {
                var index = reader.ReadInt32();
                var error = (ErrorCode)reader.ReadInt16();
                var baseOffset = reader.ReadInt64();
                var appendTime = reader.ReadInt64();
                var logStart = version >= 5 ? reader.ReadInt64() : -1;
                string? message = null;
                List<ProduceRecordError>? recordErrors = null;
                if (version >= 8)
                {
                    var recordErrorCount = reader.ReadArrayLength(flexible);
                    for (var e = 0; e < recordErrorCount; e++)
                    {
                        var batchIndex = reader.ReadInt32();
                        var batchIndexMessage = reader.ReadString(flexible);
                        if (flexible) reader.SkipTaggedFields();
                        (recordErrors ??= new List<ProduceRecordError>(recordErrorCount)).Add(new ProduceRecordError(batchIndex, batchIndexMessage));
                    }
                    message = reader.ReadString(flexible);
                }
                int leaderId = -1, leaderEpoch = -1;
                if (flexible && reader.ReadTaggedField(0, out var currentLeader) && version >= 10)
                {
                    var leader = new ProtocolReader(currentLeader); // CurrentLeader: LeaderIdAndEpoch
                    leaderId = leader.ReadInt32();
                    leaderEpoch = leader.ReadInt32();
                }
                results.Add(new PartitionProduceResponse(topic, index, error, baseOffset, appendTime, logStart, message, leaderId, leaderEpoch, recordErrors));
            }
            if (flexible) reader.SkipTaggedFields();
        }
        var throttle = reader.ReadInt32();
        List<ProduceNodeEndpoint>? endpoints = null;
        if (flexible && reader.ReadTaggedField(0, out var nodeEndpointsField) && version >= 10)
        {
            var nodes = new ProtocolReader(nodeEndpointsField); // NodeEndpoints
            var count = nodes.ReadArrayLength(flexible: true);
            endpoints = new List<ProduceNodeEndpoint>(Math.Max(0, count));
            for (var n = 0; n < count; n++)
            {
                var nodeId = nodes.ReadInt32();
                var host = nodes.ReadRequiredString(flexible: true);
                var port = nodes.ReadInt32();
                var rack = nodes.ReadCompactString();
                nodes.SkipTaggedFields();
                endpoints.Add(new ProduceNodeEndpoint(nodeId, host, port, rack));
            }
        }
        nodeEndpoints = endpoints;
        return throttle;
    }
}
