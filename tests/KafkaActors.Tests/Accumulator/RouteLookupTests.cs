using KafkaActors.Accumulator;
using KafkaActors.Metrics;
using KafkaActors.Tests.Support;
using Xunit;

namespace KafkaActors.Tests.Accumulator;

/// <summary>
/// RecordAccumulator.TryGetRoute keeps the route it found last, recognised by the sender's topic string: it must never
/// answer with a route that was replaced or removed, nor with another topic's route, whatever strings senders use.
/// </summary>
public sealed class RouteLookupTests
{
    private readonly RecordAccumulator _accumulator = new(Producers.Settings("localhost:9092"), new ProducerMetrics(30_000, 2));

    [Fact]
    public void A_replaced_route_is_not_answered_from_the_cache()
    {
        var topic = new string("orders".AsSpan());
        var first = Route("orders", 2);
        _accumulator.PublishRoute(first);
        Assert.True(_accumulator.TryGetRoute(topic, out var found));
        Assert.Same(first, found);
        Assert.True(_accumulator.TryGetRoute(topic, out found)); // from the cache now
        Assert.Same(first, found);

        var second = Route("orders", 4); // the partition count grew
        _accumulator.PublishRoute(second);
        Assert.True(first.IsSuperseded);
        Assert.True(_accumulator.TryGetRoute(topic, out found));
        Assert.Same(second, found);
        Assert.Equal(4, found.PartitionCount);
    }

    [Fact]
    public void A_removed_route_is_not_answered_from_the_cache()
    {
        var topic = new string("orders".AsSpan());
        _accumulator.PublishRoute(Route("orders", 2));
        Assert.True(_accumulator.TryGetRoute(topic, out _));

        _accumulator.RemoveRoute("orders"); // forgotten after metadata.max.idle.ms
        Assert.False(_accumulator.TryGetRoute(topic, out _));
        Assert.False(_accumulator.TryGetRoute("orders", out _));

        var again = Route("orders", 3);
        _accumulator.PublishRoute(again);
        Assert.True(_accumulator.TryGetRoute(topic, out var found));
        Assert.Same(again, found);
    }

    [Fact]
    public void Senders_alternating_topics_and_string_instances_get_each_topics_own_route()
    {
        var orders = Route("orders", 2);
        var payments = Route("payments", 3);
        _accumulator.PublishRoute(orders);
        _accumulator.PublishRoute(payments);
        for (var i = 0; i < 10; i++)
        {
            // A fresh string each time for one topic, the same instance for the other.
            Assert.True(_accumulator.TryGetRoute(new string("orders".AsSpan()), out var found));
            Assert.Same(orders, found);
            Assert.True(_accumulator.TryGetRoute("payments", out found));
            Assert.Same(payments, found);
        }
        Assert.False(_accumulator.TryGetRoute("order", out _));
        Assert.False(_accumulator.TryGetRoute("ORDERS", out _));
    }

    private TopicRoute Route(string topic, int partitions) =>
        new(topic, Enumerable.Range(0, partitions).Select(p => new PartitionAccumulator(new TopicPartition(topic, p), _accumulator)).ToArray(),
            Enumerable.Range(0, partitions).ToArray());
}
