using System.Net;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Records;
using KafkaActors.Testing.RawLog;

namespace KafkaActors.Testing.Secure.Idempotence;

/// <summary>What the mock's log says about a batch whose answer was lost.</summary>
internal enum LookupOutcome
{
    /// <summary>Stored, at <see cref="LookupResult.BaseOffset"/>.</summary>
    Found,

    /// <summary>Not stored.</summary>
    Absent,

    /// <summary>The partition's leader could not be read (down, or no leader): ask again later.</summary>
    Unavailable,
}

/// <summary>The answer of <see cref="MockLogLookup.Find"/>.</summary>
internal readonly record struct LookupResult(LookupOutcome Outcome, long BaseOffset = -1);

/// <summary>
/// Reads a partition of the mock's log directly (the brokers' own ports, not the fronts) to learn whether a batch whose
/// answer was lost was stored: once the mock has closed a connection it reads nothing more from it, so the log then holds
/// the final answer. Blocking, with short timeouts; stateless apart from the broker addresses; thread-safe.
/// </summary>
internal sealed class MockLogLookup(IReadOnlyDictionary<int, IPEndPoint> brokers)
{
    private const short MetadataVersion = 4;
    private const short FetchVersion = 11;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>Looks for the batch of <paramref name="batch"/>'s producer id, epoch and first sequence from <paramref name="fromOffset"/> on.</summary>
    public LookupResult Find(string topic, int partition, ProducedBatch batch, long fromOffset)
    {
        try
        {
            var leader = FindLeader(topic, partition);
            if (leader is null || !brokers.TryGetValue(leader.Value, out var endpoint)) return new LookupResult(LookupOutcome.Unavailable);
            using var connection = KafkaWireClient.Connect(endpoint.Address.ToString(), endpoint.Port, Timeout);
            var offset = fromOffset;
            while (true)
            {
                var body = connection.Send(new FetchRequest(topic, [new FetchPartition(partition, offset, 8 * 1024 * 1024)], MaxWaitMs: 0, MinBytes: 0), FetchVersion);
                var fetched = FetchResponse.Parse(body, FetchVersion).Partitions.Single();
                if (fetched.ErrorCode == ErrorCode.OffsetOutOfRange && fetched.LogStartOffset > offset)
                {
                    offset = fetched.LogStartOffset;
                    continue;
                }
                if (fetched.ErrorCode != ErrorCode.None) return new LookupResult(LookupOutcome.Unavailable);
                if (offset >= fetched.HighWatermark) return new LookupResult(LookupOutcome.Absent);
                var read = RecordBatchReader.ReadAll(fetched.Records, verifyCrc: false).Where(b => b.LastOffset >= offset).ToList();
                if (read.Count == 0) return new LookupResult(LookupOutcome.Unavailable);
                foreach (var stored in read)
                {
                    if (stored.ProducerId == batch.ProducerId && stored.ProducerEpoch == batch.ProducerEpoch && stored.BaseSequence == batch.FirstSequence)
                        return new LookupResult(LookupOutcome.Found, stored.BaseOffset);
                }
                offset = read[^1].LastOffset + 1;
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException or KafkaActors.Protocol.KafkaProtocolException or AggregateException)
        {
            return new LookupResult(LookupOutcome.Unavailable);
        }
    }

    private int? FindLeader(string topic, int partition)
    {
        foreach (var endpoint in brokers.Values)
        {
            try
            {
                using var client = KafkaWireClient.Connect(endpoint.Address.ToString(), endpoint.Port, Timeout);
                var metadata = MetadataResponse.Parse(client.Send(new MetadataRequest([topic], false), MetadataVersion), MetadataVersion);
                var leader = metadata.Topics.SingleOrDefault(t => t.Name == topic)?.Partitions.SingleOrDefault(p => p.PartitionIndex == partition)?.LeaderId;
                return leader is null or < 0 ? null : leader;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or KafkaActors.Protocol.KafkaProtocolException or AggregateException)
            {
                // a broker set down: ask the next one
            }
        }
        return null;
    }
}
