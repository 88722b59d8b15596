using System.Diagnostics;
using Akka;
using Akka.Streams.Dsl;
using KafkaActors.Interceptors;
using KafkaActors.Streams;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Streams;

/// <summary>
/// The stage pulls only when a record could be appended to buffer.memory: with a slow broker and the
/// default parallelism (10,000, so no limit of its own), memory alone bounds how far the source may run
/// ahead of the broker's acknowledgements.
/// </summary>
public sealed class StreamBackPressureTests(KafkaFixture fixture, ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output), IClassFixture<KafkaFixture>
{
    private const int Leader = 1;
    private const int BufferMemory = 65_536;
    private const int BatchSize = 16_384;
    private const int RecordSize = 1_024; // value bytes alone; with key and framing each record takes more
    private const int Count = 2_000;

    /// <summary>Counts the broker's acknowledgements as they happen (before the stage hears of them).</summary>
    private sealed class AckCounter : IProducerInterceptor<string?, string?>
    {
        public int Acks;
        public ProducerRecord<string?, string?> OnSend(ProducerRecord<string?, string?> record) => record;
        public void OnAcknowledgement(RecordMetadata metadata, Exception? exception) => Interlocked.Increment(ref Acks);
        public void Dispose() { }
    }

    [Fact]
    public async Task A_slow_broker_holds_the_source_back_to_what_fits_in_buffer_memory()
    {
        var topic = fixture.CreateTopic("backpressure", 1);
        var settings = Producers.Settings(fixture.Bootstrap, ("buffer.memory", $"{BufferMemory}"), ("batch.size", $"{BatchSize}"), ("max.block.ms", "60000"));
        var acks = new AckCounter();
        await using var producer = new KafkaProducer<string?, string?>(settings, system: Sys, interceptors: [acks]);
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "warm-up", "warm-up")).WaitAsync(TimeSpan.FromSeconds(10));
        var warmUps = acks.Acks;

        var records = Enumerable.Range(0, Count)
            .Select(i => new ProducerRecord<string?, string?>(topic, $"k{i:D4}", $"{i:D4}-{new string('m', RecordSize - 5)}"))
            .ToList();
        var emitted = 0;
        var maxAhead = 0;          // emitted − acknowledged by the broker
        int Acknowledged() => Volatile.Read(ref acks.Acks) - warmUps;

        // Records in buffer.memory (each takes more than RecordSize bytes), plus the one the stage holds
        // while it waits for memory. Parallelism (10,000) allows far more: memory is the only limit here.
        // Acknowledged results waiting for downstream are bounded by parallelism alone (as with mapAsync;
        // see KafkaFlowTests), not by memory, so they are not counted here.
        const int memoryBound = BufferMemory / RecordSize + 1;

        fixture.Kafka.SetBrokerRtt(Leader, 1000);
        Task<Done> done;
        var clock = Stopwatch.StartNew();
        int emittedWhileSlow, acknowledgedWhileSlow;
        try
        {
            done = Source.From(records)
                .Select(record =>
                {
                    var count = Interlocked.Increment(ref emitted);
                    maxAhead = Math.Max(maxAhead, count - Acknowledged());
                    return new ProducerMessage<string?, string?, NotUsed>(record, NotUsed.Instance);
                })
                .Via(KafkaFlow.Create<string?, string?, NotUsed>(producer))
                .RunWith(Sink.Ignore<ProducerResult<string?, string?, NotUsed>>(), Sys);

            // Two slow round trips (~2 s), in which an unbounded stage would have taken all 2,000 records.
            await Poll.Until(() => Acknowledged() >= 2 * (BufferMemory / BatchSize) * 10 || done.IsCompleted,
                TimeSpan.FromSeconds(15), () => $"acknowledged {Acknowledged()}, emitted {Volatile.Read(ref emitted)}");
            emittedWhileSlow = Volatile.Read(ref emitted);
            acknowledgedWhileSlow = Acknowledged();
        }
        finally
        {
            fixture.Kafka.SetBrokerRtt(Leader, 0);
        }
        Output!.WriteLine($"after {clock.ElapsedMilliseconds} ms of a slow broker: emitted {emittedWhileSlow}, acknowledged {acknowledgedWhileSlow}");

        await done.WaitAsync(TimeSpan.FromSeconds(30));
        Output!.WriteLine($"done after {clock.ElapsedMilliseconds} ms; at most {maxAhead} ahead of the broker (bound {memoryBound})");

        Assert.True(emittedWhileSlow <= acknowledgedWhileSlow + memoryBound, $"emitted {emittedWhileSlow} with only {acknowledgedWhileSlow} acknowledged");
        Assert.InRange(maxAhead, 1, memoryBound);
        // Memory was the limit, and it was used: several batches were outstanding at once.
        Assert.True(maxAhead > 2 * BatchSize / RecordSize, $"at most {maxAhead} ahead of the broker: not pipelining?");
        Assert.Equal(Count, Acknowledged());
        await Poll.Until(() => producer.MetricValues()["buffer-available-bytes"] == BufferMemory, TimeSpan.FromSeconds(5),
            () => $"buffer-available-bytes {producer.MetricValues()["buffer-available-bytes"]}");

        var found = fixture.ReadAll(topic).Skip(1).ToList();
        Assert.Equal(Count, found.Count);
        for (var i = 0; i < Count; i++) Same(records[i], found[i]);
    }
}
