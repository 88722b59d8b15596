using System.Buffers;
using System.Text;
using KafkaActors.Errors;
using KafkaActors.Serialization;
using KafkaActors.Tests.Support;
using Xunit;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Errors;

/// <summary>One bad record fails alone, with a typed error; the good ones around it are all written.</summary>
public sealed class RecordErrorTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    private static ProducerRecord<string?, string?> Good(string topic, int i) => new(topic, $"k{i}", $"good-{i}");

    private static List<string> Values(IEnumerable<Testing.ConsumedRecord> records) => records.Select(r => Text(r.Value) ?? "<null>").Order().ToList();

    [Fact]
    public async Task Record_larger_than_max_request_size_faults_with_RecordTooLargeException()
    {
        var topic = fixture.CreateTopic("too-large", 2);
        await using var producer = Producers.Strings(fixture.Bootstrap, ("max.request.size", "10000"));

        var before = Enumerable.Range(0, 5).Select(i => producer.SendAsync(Good(topic, i))).ToArray();
        var bad = Sync.MustNotThrow(() => producer.SendAsync(new ProducerRecord<string?, string?>(topic, "big", new string('x', 20_000))));
        var after = Enumerable.Range(5, 5).Select(i => producer.SendAsync(Good(topic, i))).ToArray();

        var error = await Assert.ThrowsAsync<RecordTooLargeException>(() => bad.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("max.request.size", error.Message);
        await Task.WhenAll(before.Concat(after)).WaitAsync(TimeSpan.FromSeconds(10));

        // A record just under the limit still goes through.
        await producer.SendAsync(new ProducerRecord<string?, string?>(topic, "near", new string('n', 9_000))).WaitAsync(TimeSpan.FromSeconds(10));

        var found = fixture.ReadAll(topic);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"good-{i}").Append(new string('n', 9_000)).Order().ToList(), Values(found));
        Assert.True(producer.MetricValues()["record-error-total"] >= 1);
    }

    [Fact]
    public async Task Record_larger_than_buffer_memory_faults_with_RecordTooLargeException()
    {
        var topic = fixture.CreateTopic("too-large-buffer", 1);
        await using var producer = Producers.Strings(fixture.Bootstrap, ("buffer.memory", "16384"), ("batch.size", "1024"));

        var bad = producer.SendAsync(new ProducerRecord<string?, string?>(topic, "big", new string('x', 20_000)));
        var error = await Assert.ThrowsAsync<RecordTooLargeException>(() => bad.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("buffer.memory", error.Message);
        await producer.SendAsync(Good(topic, 0)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["good-0"], Values(fixture.ReadAll(topic)));
    }

    [Fact]
    public async Task Throwing_serializer_throws_SerializationException_synchronously()
    {
        var topic = fixture.CreateTopic("serializer", 2);
        await using var producer = new KafkaProducer<string?, string?>(Producers.Settings(fixture.Bootstrap), valueSerializer: new PickySerializer());

        var before = Enumerable.Range(0, 5).Select(i => producer.SendAsync(Good(topic, i))).ToArray();
        var bad = new ProducerRecord<string?, string?>(topic, "k", "poison");
        var thrown = Assert.Throws<SerializationException>(() => { _ = producer.SendAsync(bad); });
        Assert.IsType<FormatException>(thrown.InnerException);
        var callbackRan = false;
        Assert.Throws<SerializationException>(() => producer.Send(bad, (_, _) => callbackRan = true));
        Assert.False(callbackRan);
        var after = Enumerable.Range(5, 5).Select(i => producer.SendAsync(Good(topic, i))).ToArray();
        await Task.WhenAll(before.Concat(after)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"good-{i}").Order().ToList(), Values(fixture.ReadAll(topic)));
    }

    [Fact]
    public async Task Explicit_partition_out_of_range_throws_ArgumentException_once_the_partition_count_is_known()
    {
        var topic = fixture.CreateTopic("bad-partition", 3);
        await using var producer = Producers.Strings(fixture.Bootstrap);

        // Before metadata arrived the partition count is unknown: the record's task fails instead.
        var early = producer.SendAsync(new ProducerRecord<string?, string?>(topic, 3, "k", "lost-early"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => early.WaitAsync(TimeSpan.FromSeconds(10)));

        var before = producer.SendAsync(Good(topic, 0));
        await before.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.ThrowsAny<ArgumentException>(() => { _ = producer.SendAsync(new ProducerRecord<string?, string?>(topic, 3, "k", "lost")); });
        Assert.ThrowsAny<ArgumentException>(() => new ProducerRecord<string?, string?>(topic, -1, "k", "lost"));
        var after = producer.SendAsync(Good(topic, 1));
        await Task.WhenAll(before, after).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["good-0", "good-1"], Values(fixture.ReadAll(topic)));
    }

    /// <summary>UTF-8, except that it refuses the value "poison".</summary>
    private sealed class PickySerializer : ISerializer<string?>
    {
        public bool Serialize(string? data, in SerializationContext context, IBufferWriter<byte> output)
        {
            if (data is null) return false;
            if (data == "poison") throw new FormatException("poison is not serializable");
            output.Write(Encoding.UTF8.GetBytes(data));
            return true;
        }
    }
}
