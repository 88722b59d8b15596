using System.Collections.Concurrent;
using KafkaActors.Tests.Support;
using Xunit;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>The facade is thread-safe: many threads, one producer, nothing lost, per-thread key order kept.</summary>
public sealed class ConcurrencyTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task Four_threads_sending_at_once_lose_nothing_and_keep_per_key_order()
    {
        const int threads = 4;
        const int perThread = 2500;
        const int partitions = 5;
        var topic = fixture.CreateTopic("concurrent", partitions);
        var metadata = new ConcurrentDictionary<string, RecordMetadata>();

        await using (var producer = Producers.Strings(fixture.Bootstrap))
        {
            var workers = Enumerable.Range(0, threads).Select(t => Task.Run(async () =>
            {
                var tasks = new List<Task>(perThread);
                for (var i = 0; i < perThread; i++)
                {
                    // Keys are per thread, so each key's order is the thread's send order.
                    var key = $"t{t}-k{i % 25}";
                    var value = $"{key}|{i / 25}|";
                    var send = producer.SendAsync(new ProducerRecord<string?, string?>(topic, null, 1_700_000_000_000 + i, key, value));
                    tasks.Add(send.ContinueWith(s => metadata[value] = s.Result, TaskContinuationOptions.OnlyOnRanToCompletion));
                }
                await Task.WhenAll(tasks);
            })).ToArray();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(threads * perThread, (int)producer.MetricValues()["record-send-total"]);
        }

        var found = fixture.ReadAll(topic);
        Assert.Equal(threads * perThread, found.Count);
        Assert.Equal(threads * perThread, metadata.Count);
        var byPosition = ByPosition(found);
        foreach (var (value, md) in metadata) Assert.Equal(value, Text(At(byPosition, md).Value));
        foreach (var key in found.GroupBy(r => Text(r.Key)))
        {
            Assert.Single(key.Select(r => r.Partition).Distinct());
            var sequences = key.OrderBy(r => r.Offset).Select(r => KeyedWorkload.Parse(Text(r.Value)!).Seq).ToList();
            Assert.Equal(Enumerable.Range(0, sequences.Count), sequences);
        }
    }

    [Fact]
    public async Task Sending_from_inside_a_delivery_callback_works()
    {
        const int chain = 100;
        var topic = fixture.CreateTopic("callback-chain", 2);
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        await using (var producer = Producers.Strings(fixture.Bootstrap))
        {
            void SendNext(int i)
            {
                producer.Send(new ProducerRecord<string?, string?>(topic, $"k{i % 3}", $"link-{i:D3}"), (_, e) =>
                {
                    if (e is not null) done.TrySetException(e);
                    else if (i + 1 == chain) done.TrySetResult(i);
                    else
                    {
                        try { SendNext(i + 1); }
                        catch (Exception ex) { done.TrySetException(ex); }
                    }
                });
            }
            SendNext(0);
            await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        var found = fixture.ReadAll(topic);
        Assert.Equal(Enumerable.Range(0, chain).Select(i => $"link-{i:D3}"), found.Select(r => Text(r.Value)).Order());
    }

    [Fact]
    public async Task Sending_to_several_topics_at_once_resolves_each_topics_metadata()
    {
        var topics = Enumerable.Range(0, 8).Select(i => fixture.CreateTopic($"multi-topic-{i}", 1 + i % 3)).ToList();
        await using (var producer = Producers.Strings(fixture.Bootstrap))
        {
            var sends = topics.SelectMany(t => Enumerable.Range(0, 50).Select(i => (t, i))).AsParallel()
                .Select(x => producer.SendAsync(new ProducerRecord<string?, string?>(x.t, $"k{x.i}", $"{x.t}:{x.i}"))).ToList();
            await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30));
        }
        foreach (var topic in topics)
        {
            var found = fixture.ReadAll(topic);
            Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{topic}:{i}").Order(), found.Select(r => Text(r.Value)).Order());
        }
    }
}
