using System.Text;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Records;
using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Secure;
using Xunit;
using WireError = KafkaActors.Protocol.Errors.ErrorCode;

namespace KafkaActors.Testing.Tests.Secure;

/// <summary>
/// The front stages that refuse batches as a Kafka broker does and the mock cannot: too large for max.message.bytes, and
/// records named in RecordErrors (KIP-467). Hand-made Produce requests on a raw wire client; what the mock stored is read
/// back from its own ports with the raw log reader, so a refused batch that reached it shows.
/// </summary>
public sealed class ProduceRefusalStageTests : IAsyncLifetime
{
    private readonly MaxMessageBytesStage _limit = new(500);
    private readonly RecordErrorStage _recordErrors;
    private readonly string _topic = TestClients.Topic("refuse");
    private readonly string _invalid = TestClients.Topic("invalid");
    private SecureEmbeddedKafka _kafka = null!;

    public ProduceRefusalStageTests() =>
        _recordErrors = new RecordErrorStage(_invalid, [(1, "Compacted topic cannot accept message without key."), (2, null)], "One or more records have been rejected", times: 2);

    public Task InitializeAsync()
    {
        var options = new SecureKafkaOptions { SecurityProtocol = ListenerSecurityProtocol.Plaintext };
        options.FrameHandlers.Add(_ => _limit);
        options.FrameHandlers.Add(_ => _recordErrors);
        _kafka = SecureEmbeddedKafka.Start(options);
        _kafka.Cluster.CreateTopic(_topic, partitions: 2, replicationFactor: 1);
        _kafka.Cluster.CreateTopic(_invalid, partitions: 1, replicationFactor: 1);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _kafka.DisposeAsync();

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void A_batch_above_max_message_bytes_gets_MESSAGE_TOO_LARGE_and_its_neighbour_a_retriable_error_with_nothing_stored(short version)
    {
        using var client = Front();
        var answers = Produce(client, version, (_topic, 0, Batch(3, 200)), (_topic, 1, Batch(2, 10)));
        Assert.Equal(WireError.MessageTooLarge, answers[0].ErrorCode);
        if (version >= 8) Assert.Contains("exceeds the maximum configured value of 500", answers[0].ErrorMessage); // ErrorMessage is v8+
        Assert.Equal(WireError.NotEnoughReplicas, answers[1].ErrorCode);
        Assert.Equal(1, _limit.Refused);

        var fits = Produce(client, version, (_topic, 1, Batch(2, 10))).Single();
        Assert.Equal((WireError.None, 0L), (fits.ErrorCode, fits.BaseOffset));
        var stored = RawLogReader.ReadBatches(_kafka.Cluster.BootstrapServers, _topic, TimeSpan.FromSeconds(10));
        Assert.Empty(stored[0]);
        Assert.Single(stored[1]);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    public void Record_errors_name_the_refused_records_and_nothing_of_the_batch_is_stored(short version)
    {
        using var client = Front();
        var refused = Produce(client, version, (_invalid, 0, Batch(4, 10))).Single();
        Assert.Equal(WireError.InvalidRecord, refused.ErrorCode);
        Assert.Equal("One or more records have been rejected", refused.ErrorMessage);
        Assert.Equal([new ProduceRecordError(1, "Compacted topic cannot accept message without key."), new ProduceRecordError(2, null)], refused.RecordErrors!);

        Produce(client, version, (_invalid, 0, Batch(4, 10))); // the second and last refusal
        Assert.Equal(0, _recordErrors.Remaining);
        var accepted = Produce(client, version, (_invalid, 0, Batch(4, 10))).Single();
        Assert.Equal((WireError.None, 0L), (accepted.ErrorCode, accepted.BaseOffset));
        Assert.Single(RawLogReader.ReadBatches(_kafka.Cluster.BootstrapServers, _invalid, TimeSpan.FromSeconds(10))[0]);
        Assert.Equal(2, _recordErrors.Refused);
    }

    private KafkaWireClient Front() => KafkaWireClient.Connect(_kafka.BootstrapServers.Split(',')[0], TimeSpan.FromSeconds(15));

    private static IReadOnlyList<PartitionProduceResponse> Produce(KafkaWireClient client, short version, params (string Topic, int Partition, byte[] Records)[] partitions)
    {
        var request = new ProduceRequest(null, -1, 5000, partitions.Select(p => new ProducePartitionData(p.Topic, p.Partition, p.Records)).ToList());
        return ProduceResponse.Parse(client.Send(request, version), version).Partitions;
    }

    /// <summary>A batch without producer id of <paramref name="records"/> values of <paramref name="valueBytes"/> bytes.</summary>
    private static byte[] Batch(int records, int valueBytes)
    {
        var buffer = new byte[8192];
        var builder = new RecordBatchBuilder();
        builder.Reset(buffer, buffer.Length);
        for (var i = 0; i < records; i++)
        {
            var value = Encoding.UTF8.GetBytes(new string((char)('a' + i), valueBytes));
            Assert.True(builder.TryAppend(1_700_000_000_000 + i, [], -1, value, value.Length, []));
        }
        var batch = buffer.AsSpan(0, builder.SizeInBytes).ToArray();
        RecordBatchHeader.Write(batch, CompressionType.None, false, builder.RecordCount, builder.BaseTimestamp, builder.MaxTimestamp, -1, -1, -1);
        return batch;
    }
}
