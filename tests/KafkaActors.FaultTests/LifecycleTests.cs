using Akka.Actor;
using KafkaActors.Errors;
using KafkaActors.FaultTests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.FaultTests;

/// <summary>Flush, close and many producers: every record gets exactly one outcome.</summary>
public sealed class LifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Close_with_records_in_flight_fails_what_is_left_after_the_timeout()
    {
        using var cluster = new FaultCluster();
        var producer = new KafkaProducer<string, string>(cluster.Settings(("linger.ms", "0")));
        var stream = new KeyedStream(producer, cluster.Topic, keys: 10);
        stream.Send(100);
        await stream.WaitForAll(TimeSpan.FromSeconds(30));

        cluster.Kafka.SetBrokerRtt(-1, 3000);
        stream.Send(200);
        await producer.CloseAsync(TimeSpan.FromMilliseconds(500));
        await stream.WaitForAll(TimeSpan.FromSeconds(10));
        var closed = stream.Outcomes.Values.Where(o => o.Error is not null).ToList();
        output.WriteLine($"{closed.Count} failed at close: {closed.FirstOrDefault()?.Error?.Message}");
        Assert.NotEmpty(closed);
        Assert.All(closed, c => Assert.IsType<ProducerClosedException>(c.Error));
        Assert.Throws<ProducerClosedException>(() => producer.Send(new ProducerRecord<string, string>(cluster.Topic, "k", "v")));
        Assert.Equal(0, stream.DuplicateCallbacks);
    }

    [Fact]
    public async Task Flush_returns_only_when_everything_sent_before_it_is_complete()
    {
        using var cluster = new FaultCluster();
        await using var producer = new KafkaProducer<string, string>(cluster.Settings(("linger.ms", "10000"), ("batch.size", "1000000")));
        var stream = new KeyedStream(producer, cluster.Topic, keys: 10);
        cluster.Kafka.SetBrokerRtt(-1, 100);
        stream.Send(2000);
        await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30)); // linger 10 s: only flush sends them now
        Assert.Equal(stream.Sent, stream.Completed);
        FaultRun.AssertExactlyOnceInOrder(DeliveryOracle.Check(cluster, stream));
    }

    [Fact]
    public async Task Many_producers_in_one_actor_system_deliver_everything()
    {
        using var cluster = new FaultCluster();
        using var system = ActorSystem.Create("many-producers");
        var producers = Enumerable.Range(0, 5).Select(_ => new KafkaProducer<string, string>(cluster.Settings(), system: system)).ToList();
        var streams = producers.Select(p => new KeyedStream(p, cluster.Topic, keys: 5)).ToList();
        await Task.WhenAll(streams.Select(s => Task.Run(() => s.Send(2000))));
        foreach (var s in streams) await s.WaitForAll(TimeSpan.FromSeconds(60));
        foreach (var p in producers) await p.DisposeAsync();

        // Each producer used the same keys: the log holds each (key, seq) five times, once per producer.
        var total = KafkaActors.Testing.KafkaReader.GetWatermarks(cluster.Bootstrap, cluster.Topic).Values.Sum(w => w.High);
        Assert.Equal(10_000, total);
        Assert.All(streams, s => Assert.True(s.Outcomes.Values.All(o => o.Error is null)));
        Assert.Equal(5, RawLogPids(cluster).Count);
    }

    private static HashSet<long> RawLogPids(FaultCluster cluster) =>
        KafkaActors.Testing.RawLog.RawLogReader.ReadBatches(cluster.Bootstrap, cluster.Topic, TimeSpan.FromSeconds(30))
            .SelectMany(p => p.Value).Select(b => b.ProducerId).ToHashSet();
}
