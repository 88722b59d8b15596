using System.Text;
using KafkaActors.Testing;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>
/// A sender faster than the broker, so appenders wait for memory and the pool's adaptive limit steers how much of
/// buffer.memory they fill: every record still arrives exactly once, in send order within its partition, with one
/// outcome each, read back from the broker.
/// </summary>
public sealed class BufferLimitTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task Records_sent_faster_than_the_broker_takes_them_are_all_delivered_in_order()
    {
        const int count = 12_000; // 1 KiB each: about 3 MiB per partition, within what the mock keeps
        var topic = fixture.CreateTopic("buffer-limit", 4);
        var padding = new string('x', 1000);
        var outcomes = new int[count];
        var failures = 0;
        long lowestLimit;
        await using (var producer = Producers.Strings(fixture.Bootstrap,
                         ("batch.size", "65536"), ("buffer.memory", (4 << 20).ToString()), ("linger.ms", "5")))
        {
            var limit = producer.Runtime.Accumulator.Pool.Limit!;
            lowestLimit = limit.Limit;
            for (var i = 0; i < count; i++)
            {
                var n = i;
                producer.Send(new ProducerRecord<string?, string?>(topic, null, $"{n:D6}{padding}"), (_, e) =>
                {
                    Interlocked.Increment(ref outcomes[n]);
                    if (e is not null) Interlocked.Increment(ref failures);
                });
                lowestLimit = Math.Min(lowestLimit, limit.Limit);
            }
            await producer.FlushAsync();
        }
        output.WriteLine($"lowest buffer limit during the run: {lowestLimit} of {4 << 20} bytes");

        Assert.Equal(0, failures);
        Assert.All(outcomes, o => Assert.Equal(1, o));
        var found = fixture.ReadAll(topic);
        Assert.Equal(count, found.Count);
        Assert.Equal(Enumerable.Range(0, count), found.Select(Sequence).Order());
        foreach (var partition in found.GroupBy(r => r.Partition))
        {
            var sequences = partition.OrderBy(r => r.Offset).Select(Sequence).ToList();
            Assert.Equal(sequences.Order(), sequences); // one sending thread: send order within each partition
        }
    }

    [Fact]
    public async Task Off_appenders_wait_only_once_buffer_memory_is_used_up()
    {
        var topic = fixture.CreateTopic("buffer-limit-off", 1);
        await using var producer = Producers.Strings(fixture.Bootstrap, ("buffer.adaptive-limit", "false"));
        Assert.Null(producer.Runtime.Accumulator.Pool.Limit); // Java's rule: nothing below buffer.memory holds them back
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, null, "v"));
        Assert.Single(fixture.ReadAll(topic));
    }

    private static int Sequence(ConsumedRecord record) => int.Parse(Encoding.UTF8.GetString(record.Value!, 0, 6));
}
