using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;
using KafkaActors.Protocol.Records;
using Xunit;
using KafkaActors.Testing.RawLog;

namespace KafkaActors.Protocol.Tests.Conformance;

/// <summary>
/// Produce (key 0) round trips: our RequestEncoder, RecordBatchBuilder, RecordBatchHeader (CRC-32C) and codecs
/// write; the librdkafka mock stores; Confluent's consumer with check.crcs=true reads back and decompresses.
/// </summary>
public sealed class ProduceConformanceTests(ThreeBrokerCluster cluster) : IClassFixture<ThreeBrokerCluster>
{
    private const long T0 = 1_700_000_000_000;

    public static TheoryData<short> Versions() => new() { 3, 4, 6, 7, 8, 9, 10 };

    [Theory]
    [MemberData(nameof(Versions))]
    public void Two_batches_are_acked_with_advancing_offsets_and_read_back_byte_for_byte(short version)
    {
        var topic = $"produce-v{version}";
        var partition = version % 3;
        cluster.Kafka.CreateTopic(topic, 3, 3);
        var first = Batches.Sample($"v{version}-a", T0);
        var second = Batches.Sample($"v{version}-b", T0 + 60_000)[1..4];

        using var client = cluster.ConnectToLeader(topic, partition);
        var r1 = Batches.Single(client.Send(Batches.Request(topic, partition, Batches.Build(first)), version), version, topic, partition);
        Batches.AssertSuccess(r1, 0, version);
        var r2 = Batches.Single(client.Send(Batches.Request(topic, partition, Batches.Build(second)), version), version, topic, partition);
        Batches.AssertSuccess(r2, first.Length, version);

        Batches.AssertReadBack(cluster, topic, partition, [.. first, .. second]);
    }

    /// <summary>
    /// Mock quirk: the Produce v5 response omits LogStartOffset (added in v5 by the spec; the mock writes it
    /// from v6 only), so the body is the v4 layout. Our v5 parser correctly reports a truncated body; the
    /// records are written all the same. Our client must not negotiate v5 against this mock.
    /// </summary>
    [Fact]
    public void V5_response_lacks_log_start_offset_but_the_batch_is_written()
    {
        const string topic = "produce-v5";
        const int partition = 2;
        cluster.Kafka.CreateTopic(topic, 3, 3);
        var records = Batches.Sample("v5", T0);

        using var client = cluster.ConnectToLeader(topic, partition);
        var body = client.Send(Batches.Request(topic, partition, Batches.Build(records)), 5);

        // topics[1] | "produce-v5" | partitions[1] | index | error | base offset | append time | throttle
        var v4Length = 4 + (2 + topic.Length) + 4 + 4 + 2 + 8 + 8 + 4;
        Assert.Equal(v4Length, body.Length);
        var e = Assert.Throws<KafkaProtocolException>(() => ProduceResponse.Parse(body, 5));
        Assert.Contains("Truncated", e.Message);

        var asV4 = Batches.Single(body, 4, topic, partition);
        Batches.AssertSuccess(asV4, 0, 4);

        Batches.AssertReadBack(cluster, topic, partition, records);
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Compressed_batches_are_decompressed_by_the_independent_reader(CompressionType codec)
    {
        const short version = 10;
        var topic = $"produce-{codec.ToString().ToLowerInvariant()}";
        const int partition = 1;
        cluster.Kafka.CreateTopic(topic, 3, 3);
        var first = Batches.Sample($"{codec}-a", T0);
        var second = Batches.Sample($"{codec}-b", T0 + 1);

        var plain = Batches.Build(first);
        var batch1 = Batches.Build(first, codec);
        var batch2 = Batches.Build(second, codec);
        Assert.Equal(codec, Batches.CompressionOf(batch1));
        Assert.Equal(codec, Batches.CompressionOf(batch2));
        Assert.True(batch1.Length < plain.Length, $"{codec}: {batch1.Length} bytes compressed vs {plain.Length} plain");
        // Our own reader agrees on the content (CRC checked, decompressed) before the wire test.
        Assert.Equal(first.Length, RecordBatchReader.Read(batch1).Records.Count);

        using var client = cluster.ConnectToLeader(topic, partition);
        Batches.AssertSuccess(Batches.Single(client.Send(Batches.Request(topic, partition, batch1), version), version, topic, partition), 0, version);
        Batches.AssertSuccess(Batches.Single(client.Send(Batches.Request(topic, partition, batch2), version), version, topic, partition), first.Length, version);

        Batches.AssertReadBack(cluster, topic, partition, [.. first, .. second]);
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void A_large_batch_round_trips(CompressionType codec)
    {
        const short version = 9;
        var topic = $"produce-large-{codec.ToString().ToLowerInvariant()}";
        const int partition = 0;
        cluster.Kafka.CreateTopic(topic, 1, 1);
        var records = Batches.Large(codec.ToString());
        var batch = Batches.Build(records, codec);
        Assert.True(batch.Length > (codec == CompressionType.None ? 256 * 1024 : 128 * 1024), $"{codec}: only {batch.Length} bytes");

        using var client = cluster.ConnectToLeader(topic, partition);
        Batches.AssertSuccess(Batches.Single(client.Send(Batches.Request(topic, partition, batch), version), version, topic, partition), 0, version);
        Batches.AssertReadBack(cluster, topic, partition, records);
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Zstd)]
    public void Idempotent_batches_with_producer_id_from_InitProducerId_are_accepted(CompressionType codec)
    {
        const short version = 10;
        var topic = $"produce-idempotent-{codec.ToString().ToLowerInvariant()}";
        const int partition = 0;
        cluster.Kafka.CreateTopic(topic, 3, 3);

        InitProducerIdResponse pid;
        using (var any = cluster.ConnectAny())
            pid = InitProducerIdResponse.Parse(any.Send(new InitProducerIdRequest(null, 60_000), 4), 4);
        Assert.Equal(ErrorCode.None, pid.ErrorCode);

        var first = Batches.Sample($"idem-{codec}-a", T0);
        var second = Batches.Sample($"idem-{codec}-b", T0 + 2);
        var batch1 = Batches.Build(first, codec, new ProducerState(pid.ProducerId, pid.ProducerEpoch, 0));
        var batch2 = Batches.Build(second, codec, new ProducerState(pid.ProducerId, pid.ProducerEpoch, first.Length));
        var decoded = RecordBatchReader.Read(batch2);
        Assert.Equal((pid.ProducerId, pid.ProducerEpoch, first.Length), (decoded.ProducerId, decoded.ProducerEpoch, decoded.BaseSequence));
        Assert.False(decoded.IsTransactional);

        using var client = cluster.ConnectToLeader(topic, partition);
        Batches.AssertSuccess(Batches.Single(client.Send(Batches.Request(topic, partition, batch1), version), version, topic, partition), 0, version);
        Batches.AssertSuccess(Batches.Single(client.Send(Batches.Request(topic, partition, batch2), version), version, topic, partition), first.Length, version);

        Batches.AssertReadBack(cluster, topic, partition, [.. first, .. second]);
    }

    /// <summary>
    /// One request for three partitions of two topics (all led by broker 2), written by EncodeGather and
    /// sent with a single gather Socket.Send. v3-8 end the frame with the last batch (an empty trailing
    /// segment); v9+ end it with tagged fields.
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public void Gather_write_is_identical_to_the_contiguous_frame_and_accepted(short version)
    {
        var topicA = $"gather-a-v{version}";
        var topicB = $"gather-b-v{version}";
        cluster.Kafka.CreateTopic(topicA, 2, 3);
        cluster.Kafka.CreateTopic(topicB, 1, 3);
        const int leader = 2;
        cluster.Kafka.SetPartitionLeader(topicA, 0, leader);
        cluster.Kafka.SetPartitionLeader(topicA, 1, leader);
        cluster.Kafka.SetPartitionLeader(topicB, 0, leader);

        var recordsA0 = Batches.Sample($"g{version}-a0", T0);
        var recordsA1 = Batches.Sample($"g{version}-a1", T0)[..2];
        var recordsB0 = Batches.Sample($"g{version}-b0", T0)[2..];
        // Batches sit at an offset inside larger arrays, as a producer's pooled buffers would.
        var request = new ProduceRequest(null, -1, 10_000,
        [
            new ProducePartitionData(topicA, 0, Embed(Batches.Build(recordsA0))),
            new ProducePartitionData(topicA, 1, Embed(Batches.Build(recordsA1, CompressionType.Lz4))),
            new ProducePartitionData(topicB, 0, Embed(Batches.Build(recordsB0))),
        ]);

        // Byte for byte the same frame as the contiguous encoder's.
        using (var contiguous = new PooledBufferWriter())
        using (var envelope = new PooledBufferWriter(16))
        {
            var segments = new List<ArraySegment<byte>>();
            RequestEncoder.Encode(contiguous, request, version, 77, KafkaWireClient.ClientId);
            var length = request.EncodeGather(envelope, segments, version, 77, KafkaWireClient.ClientId);
            Assert.Equal(contiguous.WrittenCount, length);
            Assert.Equal(7, segments.Count);
            Assert.Equal(Hex.Format(contiguous.WrittenSpan), Hex.Format(segments.SelectMany(s => s).ToArray()));
            Assert.Equal(version >= 9, segments[^1].Count > 0);
        }

        var metadata = cluster.Metadata(topicA, topicB);
        using var client = cluster.ConnectToBroker(metadata, leader);
        var sent = new List<ArraySegment<byte>>();
        var response = ProduceResponse.Parse(client.SendGather(request, version, sent), version);
        Assert.Equal(7, sent.Count);

        Assert.Equal(new[] { (topicA, 0), (topicA, 1), (topicB, 0) }, response.Partitions.Select(p => (p.Topic, p.Partition)));
        foreach (var p in response.Partitions) Batches.AssertSuccess(p, 0, version);

        var readA = Testing.KafkaReader.ReadAll(cluster.Kafka.BootstrapServers, topicA, MockClusterFixture.Timeout);
        Batches.AssertRecords(readA.Where(r => r.Partition == 0).ToList(), topicA, 0, recordsA0);
        Batches.AssertRecords(readA.Where(r => r.Partition == 1).ToList(), topicA, 1, recordsA1);
        Batches.AssertReadBack(cluster, topicB, 0, recordsB0);
    }

    /// <summary>
    /// Negative control for the oracle: the mock stores a batch with a wrong CRC-32C without complaint, and
    /// Confluent's consumer (check.crcs=true) refuses it. So the round trips above really prove our CRCs.
    /// </summary>
    [Fact]
    public void A_corrupted_crc_is_stored_by_the_mock_but_rejected_by_the_reader()
    {
        const short version = 9;
        const string topic = "produce-bad-crc";
        const int partition = 0;
        cluster.Kafka.CreateTopic(topic, 1, 1);
        var batch = Batches.Build(Batches.Sample("bad-crc", T0));
        batch[RecordBatchLayout.Crc] ^= 0x01;

        using var client = cluster.ConnectToLeader(topic, partition);
        Batches.AssertSuccess(Batches.Single(client.Send(Batches.Request(topic, partition, batch), version), version, topic, partition), 0, version);

        var e = Assert.ThrowsAny<Exception>(() => Testing.KafkaReader.ReadAll(cluster.Kafka.BootstrapServers, topic, TimeSpan.FromSeconds(5)));
        Assert.IsType<Confluent.Kafka.ConsumeException>(e);
        Assert.Contains("crc", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Mock quirk: acks is ignored, so even an acks=0 request gets a full response (a real broker sends none,
    /// and a client must not wait for one). The records are written.
    /// </summary>
    [Fact]
    public void Acks_zero_is_answered_by_the_mock()
    {
        const short version = 10;
        const string topic = "produce-acks0";
        const int partition = 0;
        cluster.Kafka.CreateTopic(topic, 1, 1);
        var records = Batches.Sample("acks0", T0);

        using var client = cluster.ConnectToLeader(topic, partition);
        var body = client.Send(Batches.Request(topic, partition, Batches.Build(records), acks: 0), version);
        Batches.AssertSuccess(Batches.Single(body, version, topic, partition), 0, version);
        Batches.AssertReadBack(cluster, topic, partition, records);
    }

    private static ArraySegment<byte> Embed(byte[] batch)
    {
        var array = new byte[batch.Length + 40];
        Array.Fill(array, (byte)0xEE);
        batch.CopyTo(array, 17);
        return new ArraySegment<byte>(array, 17, batch.Length);
    }
}
