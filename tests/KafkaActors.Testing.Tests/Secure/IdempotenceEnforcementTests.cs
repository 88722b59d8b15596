using System.Text;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Records;
using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Secure;
using Xunit;
using WireError = KafkaActors.Protocol.Errors.ErrorCode;

namespace KafkaActors.Testing.Tests.Secure;

/// <summary>
/// The front's idempotence check, one rule per test, with hand-made Produce requests on a raw wire client; what the mock
/// stored is read back from its own ports with the raw log reader.
/// </summary>
public sealed class IdempotenceEnforcementTests : IAsyncLifetime
{
    private const long Pid = 4242;
    private SecureEmbeddedKafka _kafka = null!;
    private string _topic = null!;

    public Task InitializeAsync()
    {
        _kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions { Brokers = 2, SecurityProtocol = ListenerSecurityProtocol.Plaintext });
        _topic = TestClients.Topic("enforce");
        _kafka.Cluster.CreateTopic(_topic, partitions: 3, replicationFactor: 2);
        for (var p = 0; p < 3; p++) _kafka.Cluster.SetPartitionLeader(_topic, p, 1);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _kafka.DisposeAsync();

    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    public void In_sequence_batches_are_appended_and_a_retained_duplicate_gets_its_original_offset(short version)
    {
        using var client = Front(1);
        var first = Produce(client, version, (0, Batch(0, 0, 3)));
        var second = Produce(client, version, (0, Batch(0, 3, 2)));
        Assert.Equal((WireError.None, 0L), (first.ErrorCode, first.BaseOffset));
        Assert.Equal((WireError.None, 3L), (second.ErrorCode, second.BaseOffset));

        var duplicate = Produce(client, version, (0, Batch(0, 0, 3)));
        Assert.Equal((WireError.None, 0L), (duplicate.ErrorCode, duplicate.BaseOffset));
        Assert.Equal([(0, 3), (3, 2)], Stored(0).Select(b => (b.BaseSequence, b.Records.Count)));
        Assert.Equal(1, _kafka.Idempotence.DuplicatesAcknowledged);
        Assert.Equal(2, _kafka.Idempotence.BatchesAppended);
    }

    [Fact]
    public void A_sequence_gap_gets_out_of_order_sequence_number_and_is_not_stored()
    {
        using var client = Front(1);
        Produce(client, 9, (0, Batch(0, 0, 2)));
        var gap = Produce(client, 9, (0, Batch(0, 3, 1)));
        Assert.Equal(WireError.OutOfOrderSequenceNumber, gap.ErrorCode);
        Assert.Contains("Out of order sequence number", gap.ErrorMessage);
        Assert.Single(Stored(0));
        Assert.Equal(1, _kafka.Idempotence.Rejected(45));
    }

    [Fact]
    public void A_duplicate_older_than_the_five_retained_batches_is_out_of_order()
    {
        using var client = Front(1);
        for (var seq = 0; seq < 6; seq++) Assert.Equal(WireError.None, Produce(client, 7, (0, Batch(0, seq, 1))).ErrorCode);
        Assert.Equal(WireError.None, Produce(client, 7, (0, Batch(0, 1, 1))).ErrorCode); // 1..5 are retained
        Assert.Equal(WireError.OutOfOrderSequenceNumber, Produce(client, 7, (0, Batch(0, 0, 1))).ErrorCode);
        Assert.Equal(6, Stored(0).Count);
    }

    [Fact]
    public void Epochs_an_older_one_is_fenced_a_new_one_must_start_at_zero()
    {
        using var client = Front(1);
        Produce(client, 7, (0, Batch(1, 0, 2)));
        Assert.Equal(WireError.InvalidProducerEpoch, Produce(client, 7, (0, Batch(0, 2, 1))).ErrorCode);
        Assert.Equal(WireError.OutOfOrderSequenceNumber, Produce(client, 7, (0, Batch(2, 2, 1))).ErrorCode);
        var bumped = Produce(client, 7, (0, Batch(2, 0, 1)));
        Assert.Equal((WireError.None, 2L), (bumped.ErrorCode, bumped.BaseOffset));
        Assert.Equal(WireError.InvalidProducerEpoch, Produce(client, 7, (0, Batch(1, 2, 1))).ErrorCode);
        Assert.Equal([(1, 0), (2, 0)], Stored(0).Select(b => ((int)b.ProducerEpoch, b.BaseSequence)));
    }

    [Fact]
    public void An_unknown_producer_is_accepted_at_any_sequence_as_Kafka_does_since_KIP_360()
    {
        using var client = Front(1);
        Assert.Equal(WireError.None, Produce(client, 7, (0, Batch(3, 17, 2))).ErrorCode);
        Assert.Equal(WireError.None, Produce(client, 7, (0, Batch(3, 19, 1))).ErrorCode);
        Assert.Equal(2, Stored(0).Count);
    }

    [Fact]
    public void A_wrong_crc_gets_corrupt_message_and_more_than_one_batch_invalid_record()
    {
        using var client = Front(1);
        var corrupt = Batch(0, 0, 1);
        corrupt[^1] ^= 0x01;
        Assert.Equal(WireError.CorruptMessage, Produce(client, 7, (0, corrupt)).ErrorCode);
        Assert.Equal(WireError.InvalidRecord, Produce(client, 7, (0, [.. Batch(0, 0, 1), .. Batch(0, 1, 1)])).ErrorCode);
        Assert.Empty(Stored(0));
        // A batch without a producer id is checked for its CRC too.
        var plain = Batch(0, 0, 1, producerId: -1);
        plain[^1] ^= 0x01;
        Assert.Equal(WireError.CorruptMessage, Produce(client, 7, (1, plain)).ErrorCode);
        Assert.Empty(Stored(1));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    public void Several_partitions_only_the_accepted_are_forwarded_and_the_answers_merge_in_request_order(short version)
    {
        using var client = Front(1);
        for (var p = 0; p < 3; p++) Produce(client, version, (p, Batch(0, 0, 1)));
        // p2 is rejected (gap), p0 a duplicate, p1 new: only p1 reaches the mock.
        var answers = ProduceAll(client, version, (2, Batch(0, 5, 1)), (0, Batch(0, 0, 1)), (1, Batch(0, 1, 1)));
        Assert.Equal([2, 0, 1], answers.Select(a => a.Partition));
        Assert.Equal(WireError.OutOfOrderSequenceNumber, answers[0].ErrorCode);
        Assert.Equal((WireError.None, 0L), (answers[1].ErrorCode, answers[1].BaseOffset));
        Assert.Equal((WireError.None, 1L), (answers[2].ErrorCode, answers[2].BaseOffset));
        Assert.Single(Stored(2));
        Assert.Single(Stored(0));
        Assert.Equal(2, Stored(1).Count);
        // All of them answered locally: no forward at all (the mock crashes on an empty records field).
        var local = ProduceAll(client, version, (0, Batch(0, 0, 1)), (2, Batch(0, 9, 1)));
        Assert.Equal([WireError.None, WireError.OutOfOrderSequenceNumber], local.Select(a => a.ErrorCode));
    }

    [Fact]
    public void The_state_is_per_partition_so_a_new_leader_acknowledges_a_duplicate_and_rejects_a_gap()
    {
        using (var before = Front(1)) Produce(before, 9, (0, Batch(0, 0, 2)));
        _kafka.Cluster.SetPartitionLeader(_topic, 0, 2);
        using var after = Front(2);
        var duplicate = Produce(after, 9, (0, Batch(0, 0, 2)));
        Assert.Equal((WireError.None, 0L), (duplicate.ErrorCode, duplicate.BaseOffset));
        Assert.Equal(WireError.OutOfOrderSequenceNumber, Produce(after, 9, (0, Batch(0, 3, 1))).ErrorCode);
        Assert.Equal(WireError.None, Produce(after, 9, (0, Batch(0, 2, 1))).ErrorCode);
        Assert.Equal(2, Stored(0).Count);
    }

    [Fact]
    public void Under_acks_zero_nothing_is_answered_and_a_rejection_closes_the_connection()
    {
        using var client = Front(1);
        client.SendOnly(Request(0, (0, Batch(0, 0, 1))), 7);
        client.SendOnly(Request(0, (0, Batch(0, 0, 1))), 7); // a duplicate: no answer either
        Assert.NotEmpty(MetadataResponse.Parse(client.Send(new MetadataRequest([], false), 1), 1).Brokers); // the next answer is Metadata's
        client.SendOnly(Request(0, (0, Batch(0, 7, 1))), 7);
        Assert.True(client.WaitForClose(TimeSpan.FromSeconds(10)), "a rejected acks=0 batch closes the connection, as Kafka does");
        Assert.Single(Stored(0));
    }

    [Fact]
    public void Switched_off_the_mock_stores_a_gap_switched_on_again_the_producer_starts_afresh()
    {
        using var client = Front(1);
        Produce(client, 7, (0, Batch(0, 0, 1)));
        _kafka.Idempotence.Enabled = false;
        Assert.Equal(WireError.None, Produce(client, 7, (0, Batch(0, 5, 1))).ErrorCode);
        _kafka.Idempotence.Enabled = true;
        Assert.Equal(WireError.None, Produce(client, 7, (0, Batch(0, 9, 1))).ErrorCode);
        Assert.Equal(WireError.OutOfOrderSequenceNumber, Produce(client, 7, (0, Batch(0, 11, 1))).ErrorCode);
        Assert.Equal(3, Stored(0).Count);
    }

    [Fact]
    public void A_lost_answer_is_looked_up_in_the_log_so_the_retry_is_a_duplicate()
    {
        _kafka.Cluster.SetBrokerRtt(1, 1000);
        using (var doomed = Front(1))
        {
            doomed.SendOnly(Request(-1, (0, Batch(0, 0, 2))), 9); // written at once, answered after 1 s
            Thread.Sleep(300);
            _kafka.Cluster.SetBrokerDown(1); // the answer is lost with the connection
            Assert.True(doomed.WaitForClose(TimeSpan.FromSeconds(10)));
        }
        _kafka.Cluster.SetPartitionLeader(_topic, 0, 2);
        using var retry = Front(2);
        var answer = Produce(retry, 9, (0, Batch(0, 0, 2)));
        Assert.Equal((WireError.None, 0L), (answer.ErrorCode, answer.BaseOffset));
        _kafka.Cluster.SetBrokerUp(1); // for the raw log reader's bootstrap
        Assert.Single(Stored(0));
        Assert.Equal(1, _kafka.Idempotence.LostAnswers);
        Assert.Equal(WireError.None, Produce(retry, 9, (0, Batch(0, 2, 1))).ErrorCode);
    }

    [Fact]
    public void Transactional_requests_go_to_the_mock_unchecked()
    {
        using var client = Front(1);
        // No transaction was begun: the mock answers it itself (a real check would reject the gap with 45 first).
        var body = client.Send(new ProduceRequest("tx", -1, 5000, [new ProducePartitionData(_topic, 0, Batch(0, 7, 1, transactional: true))]), 7);
        var answer = ProduceResponse.Parse(body, 7).Partitions.Single();
        Assert.NotEqual(WireError.OutOfOrderSequenceNumber, answer.ErrorCode);
        Assert.Equal(0, _kafka.Idempotence.BatchesRejected);
    }

    [Fact]
    public void Injected_throttle_time_reaches_the_responses_of_that_broker_only()
    {
        _kafka.SetThrottleTime(1, 250);
        using (var throttled = Front(1))
        {
            Assert.Equal(250, ProduceResponse.Parse(throttled.Send(Request(-1, (0, Batch(0, 0, 1))), 9), 9).ThrottleTimeMs);
            Assert.Equal(250, ProduceResponse.Parse(throttled.Send(Request(-1, (0, Batch(0, 1, 1))), 7), 7).ThrottleTimeMs);
            var metadata = throttled.Send(new MetadataRequest([], false), 4);
            Assert.Equal(250, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(metadata));
        }
        using var other = Front(2);
        Assert.Equal(0, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(other.Send(new MetadataRequest([], false), 4)));
        _kafka.SetThrottleTime(1, 0);
        using var again = Front(1);
        Assert.Equal(0, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(again.Send(new MetadataRequest([], false), 4)));
    }

    private KafkaWireClient Front(int brokerId) => KafkaWireClient.Connect(_kafka.BootstrapServers.Split(',')[brokerId - 1], TimeSpan.FromSeconds(15));

    private List<RecordBatch> Stored(int partition) =>
        RawLogReader.ReadBatches(_kafka.Cluster.BootstrapServers, _topic, TimeSpan.FromSeconds(10))[partition].ToList();

    private ProduceRequest Request(short acks, params (int Partition, byte[] Records)[] partitions) =>
        new(null, acks, 5000, partitions.Select(p => new ProducePartitionData(_topic, p.Partition, p.Records)).ToList());

    private PartitionProduceResponse Produce(KafkaWireClient client, short version, (int Partition, byte[] Records) partition) =>
        ProduceAll(client, version, partition).Single();

    private IReadOnlyList<PartitionProduceResponse> ProduceAll(KafkaWireClient client, short version, params (int Partition, byte[] Records)[] partitions) =>
        ProduceResponse.Parse(client.Send(Request(-1, partitions), version), version).Partitions;

    private static byte[] Batch(short epoch, int sequence, int records, long producerId = Pid, bool transactional = false)
    {
        var buffer = new byte[4096];
        var builder = new RecordBatchBuilder();
        builder.Reset(buffer, buffer.Length);
        for (var i = 0; i < records; i++)
        {
            var value = Encoding.UTF8.GetBytes($"e{epoch}-s{sequence + i}");
            Assert.True(builder.TryAppend(1_700_000_000_000 + i, [], -1, value, value.Length, []));
        }
        var batch = buffer.AsSpan(0, builder.SizeInBytes).ToArray();
        RecordBatchHeader.Write(batch, CompressionType.None, transactional, builder.RecordCount, builder.BaseTimestamp, builder.MaxTimestamp,
            producerId, producerId < 0 ? (short)-1 : epoch, producerId < 0 ? -1 : sequence);
        return batch;
    }
}
