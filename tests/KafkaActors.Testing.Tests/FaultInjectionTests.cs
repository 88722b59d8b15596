using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Xunit;

namespace KafkaActors.Testing.Tests;

public sealed class FaultInjectionTests
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Leader_down_times_deliveries_out_and_leader_up_lets_them_through()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 3);
        var topic = TestClients.Topic("down");
        kafka.CreateTopic(topic, partitions: 1, replicationFactor: 3);
        kafka.SetPartitionLeader(topic, 0, brokerId: 2);
        using var producer = TestClients.Producer(kafka.BootstrapServers, c => c.MessageTimeoutMs = 1500);

        await producer.ProduceAsync(topic, TestClients.Message("k", "before"));

        kafka.SetBrokerDown(2);
        var clock = Stopwatch.StartNew();
        var failed = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(
            () => producer.ProduceAsync(topic, TestClients.Message("k", "while-down")));
        Assert.Equal(ErrorCode.Local_MsgTimedOut, failed.Error.Code);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8));

        kafka.SetBrokerUp(2);
        var after = await producer.ProduceAsync(topic, TestClients.Message("k", "after"))
            .WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(PersistenceStatus.Persisted, after.Status);

        var values = KafkaReader.ReadAll(kafka.BootstrapServers, topic, ReadTimeout).Select(r => Encoding.UTF8.GetString(r.Value!));
        Assert.Equal(["before", "after"], values);
    }

    [Fact]
    public async Task Pushed_non_retriable_produce_error_fails_that_delivery_with_the_code()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 3);
        var topic = TestClients.Topic("nonretriable");
        kafka.CreateTopic(topic, partitions: 1);
        using var producer = TestClients.Producer(kafka.BootstrapServers);

        kafka.PushRequestErrors(ApiKeys.Produce, KafkaErrorCodes.InvalidRecord);
        var failed = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(
            () => producer.ProduceAsync(topic, TestClients.Message("k", "rejected")));
        Assert.Equal((ErrorCode)KafkaErrorCodes.InvalidRecord, failed.Error.Code);

        await producer.ProduceAsync(topic, TestClients.Message("k", "accepted"));

        var values = KafkaReader.ReadAll(kafka.BootstrapServers, topic, ReadTimeout).Select(r => Encoding.UTF8.GetString(r.Value!));
        Assert.Equal(["accepted"], values);
    }

    [Fact]
    public async Task Pushed_retriable_errors_cost_one_request_each_and_are_tracked()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 1);
        var topic = TestClients.Topic("retriable");
        kafka.CreateTopic(topic, partitions: 1);
        using var producer = TestClients.Producer(kafka.BootstrapServers);
        await producer.ProduceAsync(topic, TestClients.Message("k", "warm-up"));

        kafka.StartRequestTracking();
        kafka.PushRequestErrors(ApiKeys.Produce, KafkaErrorCodes.NotEnoughReplicas, KafkaErrorCodes.NotEnoughReplicas);
        var result = await producer.ProduceAsync(topic, TestClients.Message("k", "retried"));
        var requests = kafka.GetRequests();
        kafka.StopRequestTracking();

        Assert.Equal(PersistenceStatus.Persisted, result.Status);
        var produces = requests.Where(r => r.ApiKey == ApiKeys.Produce).ToList();
        Assert.Equal(3, produces.Count);
        Assert.All(produces, r => Assert.Equal(1, r.BrokerId));
        Assert.Equal(produces.Select(r => r.TimestampMicros).Order(), produces.Select(r => r.TimestampMicros));
        Assert.Equal(2, KafkaReader.GetWatermarks(kafka.BootstrapServers, topic)[0].High);
    }

    [Fact]
    public async Task Broker_error_rtt_entries_apply_in_order_on_that_broker()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 3);
        var topic = TestClients.Topic("rtts");
        kafka.CreateTopic(topic, partitions: 1);
        kafka.SetPartitionLeader(topic, 0, brokerId: 3);
        using var producer = TestClients.Producer(kafka.BootstrapServers);
        await producer.ProduceAsync(topic, TestClients.Message("k", "warm-up"));

        kafka.PushBrokerRequestErrorRtts(3, ApiKeys.Produce, (KafkaErrorCodes.InvalidRecord, 0), (KafkaErrorCodes.None, 400));
        Assert.Equal(2, kafka.GetBrokerErrorStackCount(3, ApiKeys.Produce));

        var failed = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(
            () => producer.ProduceAsync(topic, TestClients.Message("k", "rejected")));
        Assert.Equal(ErrorCode.InvalidRecord, failed.Error.Code);

        var clock = Stopwatch.StartNew();
        await producer.ProduceAsync(topic, TestClients.Message("k", "late"));
        Assert.True(clock.ElapsedMilliseconds >= 350, $"acked after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(0, kafka.GetBrokerErrorStackCount(3, ApiKeys.Produce));

        var values = KafkaReader.ReadAll(kafka.BootstrapServers, topic, ReadTimeout).Select(r => Encoding.UTF8.GetString(r.Value!));
        Assert.Equal(["warm-up", "late"], values);
    }

    [Fact]
    public async Task Partition_errors_hit_only_their_partition()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 1);
        var topic = TestClients.Topic("partition-errors");
        kafka.CreateTopic(topic, partitions: 2);
        using var producer = TestClients.Producer(kafka.BootstrapServers);

        kafka.PushPartitionRequestErrors(topic, 0, ApiKeys.Produce, KafkaErrorCodes.InvalidRecord);
        var failed = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(
            () => producer.ProduceAsync(new TopicPartition(topic, 0), TestClients.Message("k", "p0")));
        Assert.Equal(ErrorCode.InvalidRecord, failed.Error.Code);
        await producer.ProduceAsync(new TopicPartition(topic, 1), TestClients.Message("k", "p1"));
        await producer.ProduceAsync(new TopicPartition(topic, 0), TestClients.Message("k", "p0-again"));

        var records = KafkaReader.ReadAll(kafka.BootstrapServers, topic, ReadTimeout);
        Assert.Equal([(0, "p0-again"), (1, "p1")], records.Select(r => (r.Partition, Encoding.UTF8.GetString(r.Value!))));
    }

    [Fact]
    public async Task Stopping_request_tracking_discards_what_was_recorded()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 1);
        kafka.CreateTopic("tracked", 1);
        kafka.StartRequestTracking();
        using (var producer = TestClients.Producer(kafka.BootstrapServers))
            await producer.ProduceAsync("tracked", TestClients.Message("k", "v"));
        Assert.Contains(kafka.GetRequests(), r => r.ApiKey == ApiKeys.Produce);
        Assert.Contains(kafka.GetRequests(), r => r.ApiKey == ApiKeys.ApiVersions);

        kafka.StopRequestTracking();

        // Contrary to rdkafka_mock.h ("does not clear"), librdkafka clears the list on stop.
        Assert.Empty(kafka.GetRequests());
    }

    [Fact]
    public void Unknown_broker_and_duplicate_topic_raise_named_errors()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 2);
        kafka.CreateTopic("dup", 2);

        var dup = Assert.Throws<EmbeddedKafkaException>(() => kafka.CreateTopic("dup", 2));
        Assert.Equal(KafkaErrorCodes.TopicAlreadyExists, dup.ErrorCode);
        Assert.Equal("TOPIC_ALREADY_EXISTS", dup.ErrorName);
        Assert.Contains("dup", dup.Message);

        // The mock is not consistent about unknown broker ids: up/down say BROKER_NOT_AVAILABLE,
        // the error stacks say the librdkafka-local __UNKNOWN_BROKER.
        var down = Assert.Throws<EmbeddedKafkaException>(() => kafka.SetBrokerDown(42));
        Assert.Equal("BROKER_NOT_AVAILABLE", down.ErrorName);
        var push = Assert.Throws<EmbeddedKafkaException>(() => kafka.PushBrokerRequestErrorRtts(42, ApiKeys.Produce, (KafkaErrorCodes.None, 10)));
        Assert.Equal("_UNKNOWN_BROKER", push.ErrorName);
        Assert.Throws<ArgumentOutOfRangeException>(() => kafka.CreateTopic("none", 0));
    }

    [Fact]
    public void Decommission_and_add_update_the_broker_ids()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 3);
        Assert.Equal([1, 2, 3], kafka.BrokerIds);
        kafka.DecommissionBroker(2);
        Assert.Equal([1, 3], kafka.BrokerIds);
        kafka.AddBroker(7);
        Assert.Equal([1, 3, 7], kafka.BrokerIds);
        Assert.Equal(3, kafka.BrokerCount);
    }
}
