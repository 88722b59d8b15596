using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Records;
using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Transactions;
using Xunit;
using ErrorCode = KafkaActors.Protocol.Errors.ErrorCode;

namespace KafkaActors.Testing.Tests.Transactions;

/// <summary>What <see cref="RawLogReader.ReadLogs"/> reports per stored batch, and its CRC checks.</summary>
public sealed class StoredBatchTests
{
    [Fact]
    public void Data_and_marker_batches_carry_producer_state_and_the_marker_type()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 1);
        var topic = TestClients.Topic("stored");
        kafka.CreateTopic(topic, partitions: 1);
        using var producer = RawTransactionalProducer.Create(kafka.BootstrapServers, "stored-txn");
        Assert.Equal(ErrorCode.None, producer.InitProducerId());
        producer.AddPartitions(topic, 0);
        Assert.Equal((ErrorCode.None, 0L), producer.Produce(topic, 0, Txn.Values("a", "b", "c")));
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: true));
        producer.AddPartitions(topic, 0);
        Assert.Equal((ErrorCode.None, 4L), producer.Produce(topic, 0, Txn.Values("d")));
        Assert.Equal(ErrorCode.None, producer.EndTxn(commit: false));

        var batches = RawLogReader.ReadLogs(kafka.BootstrapServers, topic, Txn.Timeout)[0].Batches;
        Assert.Equal(4, batches.Count);
        Assert.All(batches, b => Assert.Equal((producer.ProducerId, producer.ProducerEpoch), (b.ProducerId, b.ProducerEpoch)));
        Assert.All(batches, b => Assert.True(b.IsTransactional, b.ToString()));

        Assert.Equal((0L, 2L, 0, 3, false, (ControlRecordType?)null), Describe(batches[0]));
        Assert.Equal((3L, 3L, 0, 1, true, ControlRecordType.Commit), Describe(batches[1]));
        // Sequences continue across transactions of one epoch; the mock writes base sequence 0 into its markers.
        Assert.Equal((4L, 4L, 3, 1, false, (ControlRecordType?)null), Describe(batches[2]));
        Assert.Equal((5L, 5L, 0, 1, true, ControlRecordType.Abort), Describe(batches[3]));
        Assert.Equal(0u, batches[1].Batch.Crc); // the mock's markers have no CRC, and reading them did not throw
    }

    private static (long, long, int, int, bool, ControlRecordType?) Describe(StoredBatch b) =>
        (b.BaseOffset, b.LastOffset, b.BaseSequence, b.RecordCount, b.IsControl, b.ControlType);

    [Fact]
    public void A_data_batch_with_a_bad_crc_still_fails_the_read()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 1);
        var topic = TestClients.Topic("badcrc");
        kafka.CreateTopic(topic, partitions: 1);
        var batch = PlainBatch("x");
        batch[RecordBatchLayout.Crc] ^= 0xff; // the mock does not check CRCs on write
        using (var client = KafkaWireClient.Connect(kafka.BootstrapServers.Split(',')[0]))
        {
            var response = ProduceResponse.Parse(client.Send(
                new ProduceRequest(null, -1, 5000, [new ProducePartitionData(topic, 0, batch)]), 8), 8);
            Assert.Equal(ErrorCode.None, Assert.Single(response.Partitions).ErrorCode);
        }
        var failed = Assert.Throws<KafkaActors.Protocol.KafkaProtocolException>(() => RawLogReader.ReadLogs(kafka.BootstrapServers, topic, Txn.Timeout));
        Assert.Contains("CRC", failed.Message);
    }

    private static byte[] PlainBatch(string value)
    {
        var builder = new RecordBatchBuilder();
        var buffer = new byte[256];
        builder.Reset(buffer, buffer.Length);
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        Assert.True(builder.TryAppend(1_700_000_000_000, default, -1, bytes, bytes.Length, default));
        var batch = buffer.AsSpan(0, builder.SizeInBytes).ToArray();
        RecordBatchHeader.Write(batch, CompressionType.None, transactional: false, 1, builder.BaseTimestamp, builder.MaxTimestamp, -1, -1, -1);
        return batch;
    }
}
