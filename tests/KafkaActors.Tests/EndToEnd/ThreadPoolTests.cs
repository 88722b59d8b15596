using System.Diagnostics;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>
/// SendAsync never blocks its caller: a record that must wait for its topic's metadata waits in the
/// producer actor, whose threads are its own. So a burst of first sends from many thread-pool threads
/// (async code, request handlers) completes promptly instead of starving the pool.
/// </summary>
[Collection(nameof(SerialCollection))]
public sealed class ThreadPoolTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task First_sends_from_many_thread_pool_threads_to_an_existing_topic_do_not_block_and_all_succeed()
    {
        const int maxBlockMs = 1500;
        var topic = fixture.CreateTopic("pool-callers", 4);
        var callers = ThreadPool.ThreadCount * 2 + 10; // more than the pool has threads right now
        await using var producer = Producers.Strings(fixture.Bootstrap, ("max.block.ms", maxBlockMs.ToString()));

        var clock = Stopwatch.StartNew();
        var returned = new long[callers];
        var sends = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            var task = producer.SendAsync(new ProducerRecord<string?, string?>(topic, $"k{i}", $"v{i}"));
            returned[i] = clock.ElapsedMilliseconds; // SendAsync itself must not have waited for metadata
            await task;
            return clock.ElapsedMilliseconds;
        })).ToArray();

        var completed = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"{callers} callers; SendAsync returned within {returned.Max()} ms; all acknowledged after {completed.Max()} ms");
        Assert.True(completed.Max() <= maxBlockMs, $"slowest acknowledgement after {completed.Max()} ms");
        Assert.Equal(callers, fixture.ReadAll(topic).Count);
    }
}
