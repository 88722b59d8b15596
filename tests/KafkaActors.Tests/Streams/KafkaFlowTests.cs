using System.Collections.Concurrent;
using Akka.Streams.Dsl;
using KafkaActors.Interceptors;
using KafkaActors.Streams;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Streams;

/// <summary>KafkaFlow: one result per message, in input order, with its pass-through and the metadata of the record as written.</summary>
public sealed class KafkaFlowTests(ThreeBrokerKafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<ThreeBrokerKafkaFixture>
{
    private const int Partitions = 3;

    /// <summary>A pass-through object: the flow must hand back this very instance.</summary>
    private sealed record Marker(int Index);

    /// <summary>Notes the order acknowledgements happen in (the order the stage has to undo).</summary>
    private sealed class AckOrder : IProducerInterceptor<string?, string?>
    {
        public ConcurrentQueue<RecordMetadata> Acks { get; } = new();
        public ProducerRecord<string?, string?> OnSend(ProducerRecord<string?, string?> record) => record;
        public void OnAcknowledgement(RecordMetadata metadata, Exception? exception) => Acks.Enqueue(metadata);
        public void Dispose() { }
    }

    /// <summary>A topic whose partition p is led by broker p + 1, with metadata and connections warmed up.</summary>
    private async Task<string> SpreadTopic(KafkaProducer<string?, string?> producer, string prefix)
    {
        var topic = fixture.CreateTopic(prefix, Partitions);
        for (var p = 0; p < Partitions; p++) fixture.Kafka.SetPartitionLeader(topic, p, p + 1);
        await Task.WhenAll(Enumerable.Range(0, Partitions).Select(p =>
            producer.SendAsync(new ProducerRecord<string?, string?>(topic, p, "warm-up", $"warm-up-{p}")))).WaitAsync(TimeSpan.FromSeconds(20));
        return topic;
    }

    [Fact]
    public async Task Results_keep_input_order_and_pass_through_although_later_records_are_acknowledged_first()
    {
        const int count = 600;
        var acks = new AckOrder();
        await using var producer = new KafkaProducer<string?, string?>(Producers.Settings(fixture.Bootstrap), system: Sys, interceptors: [acks]);
        var topic = await SpreadTopic(producer, "flow-order");
        var warmUps = acks.Acks.Count;

        var messages = Enumerable.Range(0, count)
            .Select(i => new ProducerMessage<string?, string?, Marker>(
                new ProducerRecord<string?, string?>(topic, i % Partitions, null, $"k{i}", $"v{i}", new Headers().Add("i", i.ToString())),
                new Marker(i)))
            .ToList();

        // Partition 0's leader answers late: partitions 1 and 2 are acknowledged ahead of earlier records.
        fixture.Kafka.SetBrokerRtt(1, 300);
        List<ProducerResult<string?, string?, Marker>> results;
        try
        {
            results = (await Source.From(messages)
                .Via(KafkaFlow.Create<string?, string?, Marker>(producer))
                .RunWith(Sink.Seq<ProducerResult<string?, string?, Marker>>(), Sys)
                .WaitAsync(TimeSpan.FromSeconds(30))).ToList();
        }
        finally
        {
            fixture.Kafka.SetBrokerRtt(1, 0);
        }

        // The test means something only if acknowledgements did come out of input order.
        var ackOrder = acks.Acks.Skip(warmUps).ToList();
        var inputOrder = messages.Select(m => m.Record.Partition!.Value).ToList();
        Assert.Equal(count, ackOrder.Count);
        Assert.NotEqual(inputOrder, ackOrder.Select(a => a.Partition).ToList());

        Assert.Equal(count, results.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.Same(messages[i].PassThrough, results[i].PassThrough);
            Assert.Same(messages[i].Record, results[i].Record);
        }

        var found = fixture.ReadAll(topic);
        Assert.Equal(count + Partitions, found.Count);
        var byPosition = ByPosition(found);
        foreach (var result in results)
        {
            var md = result.Metadata;
            Assert.Equal(topic, md.Topic);
            Assert.Equal(result.Record.Partition, md.Partition);
            Same(result.Record, At(byPosition, md));
        }
        // Within a partition, results carry rising offsets, one after the other.
        foreach (var partition in results.GroupBy(r => r.Metadata.Partition))
        {
            var offsets = partition.Select(r => r.Metadata.Offset).ToList();
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(i => offsets[0] + i), offsets);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task At_most_parallelism_records_are_outstanding_and_results_stay_in_order(int parallelism)
    {
        const int count = 60;
        await using var producer = new KafkaProducer<string?, string?>(Producers.Settings(fixture.Bootstrap), system: Sys);
        var topic = await SpreadTopic(producer, $"flow-parallelism-{parallelism}");
        var emitted = 0;
        var completed = 0;
        var maxOutstanding = 0;

        var results = await Source.From(Enumerable.Range(0, count))
            .Select(i =>
            {
                var outstanding = Interlocked.Increment(ref emitted) - Volatile.Read(ref completed);
                if (outstanding > maxOutstanding) maxOutstanding = outstanding;
                return new ProducerMessage<string?, string?, int>(new ProducerRecord<string?, string?>(topic, $"k{i % 10}", $"p{i}"), i);
            })
            .Via(KafkaFlow.Create<string?, string?, int>(producer, parallelism))
            .Select(r =>
            {
                Interlocked.Increment(ref completed);
                return r;
            })
            .RunWith(Sink.Seq<ProducerResult<string?, string?, int>>(), Sys)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Output!.WriteLine($"parallelism {parallelism}: at most {maxOutstanding} outstanding");
        Assert.InRange(maxOutstanding, 1, parallelism);
        Assert.Equal(Enumerable.Range(0, count), results.Select(r => r.PassThrough));
        var byPosition = ByPosition(fixture.ReadAll(topic));
        foreach (var result in results) Same(result.Record, At(byPosition, result.Metadata));
    }
}
