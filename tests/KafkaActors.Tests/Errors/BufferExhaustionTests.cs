using System.Diagnostics;
using Akka.Actor;
using KafkaActors.Errors;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Errors;

/// <summary>
/// buffer.memory used up while the broker is slow: sends wait max.block.ms, then fail with
/// BufferExhaustedException; everything accepted is still written, nothing rejected is.
/// </summary>
public sealed class BufferExhaustionTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    private const int Leader = 1;
    private static readonly string Payload = new('b', 1000);

    private static (string, string)[] Tight => [("buffer.memory", "32768"), ("batch.size", "16384"), ("max.block.ms", "500")];

    [Fact]
    public async Task SendAsync_fails_with_BufferExhaustedException_and_only_accepted_records_are_written()
    {
        var topic = fixture.CreateTopic("exhausted", 1);
        await using var producer = Producers.Strings(fixture.Bootstrap, Tight);
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "warm-up")).WaitAsync(TimeSpan.FromSeconds(10));

        // SendAsync never blocks: records that find no memory wait in the producer actor, up to
        // max.block.ms each, then fail with BufferExhaustedException.
        fixture.Kafka.SetBrokerRtt(Leader, 3000);
        var sent = new List<(string Value, Task<RecordMetadata> Task)>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 300; i++)
        {
            var value = $"r{i:D4}-{Payload}";
            sent.Add((value, producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", value))));
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"SendAsync blocked: {clock.Elapsed}");
        await Task.WhenAll(sent.Select(s => s.Task)).ContinueWith(_ => { }).WaitAsync(TimeSpan.FromSeconds(20));
        fixture.Kafka.SetBrokerRtt(Leader, 0);

        var rejected = sent.Where(s => s.Task.IsFaulted).Select(s => (s.Value, Error: s.Task.Exception!.GetBaseException())).ToList();
        var accepted = new List<(string Value, Task<RecordMetadata> Task)> { ("warm-up", Task.FromResult(default(RecordMetadata))) };
        accepted.AddRange(sent.Where(s => !s.Task.IsFaulted));
        output.WriteLine($"accepted {accepted.Count}, rejected {rejected.Count}");

        Assert.NotEmpty(rejected);
        Assert.All(rejected, r => Assert.IsType<BufferExhaustedException>(r.Error));
        Assert.True(producer.MetricValues()["buffer-exhausted-records"] > 0, "buffer-exhausted-records not counted");

        // The broker answers again: everything accepted completes, and the producer keeps working.
        for (var i = 0; i < 20; i++)
        {
            var value = $"later{i:D2}";
            accepted.Add((value, producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", value))));
        }
        await Task.WhenAll(accepted.Select(a => a.Task)).WaitAsync(TimeSpan.FromSeconds(20));

        var found = fixture.ReadAll(topic);
        Assert.Equal(accepted.Select(a => (string?)a.Value).ToList(), found.Select(r => Text(r.Value)).ToList());
        Assert.DoesNotContain(found, r => rejected.Any(x => x.Value == Text(r.Value)));
    }

    [Fact]
    public async Task Told_records_that_find_no_memory_get_DeliveryFailed_with_BufferExhaustedException()
    {
        var topic = fixture.CreateTopic("exhausted-tell", 1);
        await using var producer = Producers.Strings(fixture.Bootstrap, Tight);
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "warm-up")).WaitAsync(TimeSpan.FromSeconds(10));

        const int count = 60; // ~60 KB of records against 32 KB of memory
        var replies = new List<Task<object>>();
        fixture.Kafka.SetBrokerRtt(Leader, 3000);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var record = new ProducerRecord<string?, string?>(topic, "k", $"t{i:D3}-{Payload}");
                replies.Add(producer.Actor.Ask<object>(new Produce<string?, string?>(record, i), TimeSpan.FromSeconds(30)));
            }
            // Let the told records hit the wall while the broker is slow.
            await Task.WhenAny(replies.Where((_, i) => i >= 40)).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            fixture.Kafka.SetBrokerRtt(Leader, 0);
        }
        var outcomes = await Task.WhenAll(replies).WaitAsync(TimeSpan.FromSeconds(30));

        var failed = outcomes.OfType<DeliveryFailed>().ToList();
        var delivered = outcomes.OfType<Delivered>().ToList();
        output.WriteLine($"delivered {delivered.Count}, failed {failed.Count}");
        Assert.Equal(count, failed.Count + delivered.Count);
        Assert.NotEmpty(failed);
        Assert.All(failed, f => Assert.IsType<BufferExhaustedException>(f.Cause));
        Assert.True(producer.MetricValues()["buffer-exhausted-records"] > 0);

        var found = fixture.ReadAll(topic).Skip(1).Select(r => Text(r.Value)![..4]).ToList();
        var expected = delivered.Select(d => $"t{(int)d.Correlation!:D3}").Order().ToList();
        Assert.Equal(expected, found);
    }
}
