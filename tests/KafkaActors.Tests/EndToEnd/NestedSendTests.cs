using System.Buffers;
using System.Text;
using KafkaActors.Serialization;
using KafkaActors.Tests.Support;
using Xunit;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.EndToEnd;

/// <summary>
/// A serializer that sends on another producer (of other key and value types) while its own record is being prepared:
/// each record keeps its own key and value bytes (the serialization scratch a record's bytes stay in until appended
/// is not shared with the nested send).
/// </summary>
public sealed class NestedSendTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task A_send_from_inside_a_value_serializer_leaves_the_outer_records_key_and_value_intact()
    {
        var topic = fixture.CreateTopic("nested-send", 1);
        await using var inner = new KafkaProducer<string?, byte[]?>(Producers.Settings(fixture.Bootstrap));
        var nested = new SendingSerializer(inner, topic);
        await using var outer = new KafkaProducer<string?, string?>(Producers.Settings(fixture.Bootstrap), valueSerializer: nested);

        // Both know the topic first, so each record below is serialized once, on the path that appends it (a send queued
        // behind a metadata wait is serialized once more, early, to throw as Java does).
        await inner.SendAsync(new ProducerRecord<string?, byte[]?>(topic, "warm", null)).WaitAsync(TimeSpan.FromSeconds(20));
        await outer.SendAsync(new ProducerRecord<string?, string?>(topic, "warm", null)).WaitAsync(TimeSpan.FromSeconds(20));

        const int count = 50;
        var sends = Enumerable.Range(0, count).Select(i => outer.SendAsync(new ProducerRecord<string?, string?>(topic, $"outer-key-{i}", $"outer-value-{i}"))).ToList();
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(20));
        await Task.WhenAll(nested.Sends).WaitAsync(TimeSpan.FromSeconds(20));

        var found = fixture.ReadAll(topic).Where(r => Text(r.Key) != "warm").Select(r => (Key: Text(r.Key), Value: Text(r.Value))).ToList();
        var expected = Enumerable.Range(0, count).Select(i => ($"outer-key-{i}", $"outer-value-{i}"))
            .Concat(Enumerable.Range(0, count).Select(i => ($"inner-key-for-outer-value-{i}", $"inner-value-{i}")));
        Assert.Equal(expected.Order(), found.Select(r => (r.Key!, r.Value!)).Order());
    }

    /// <summary>Writes the value as UTF-8 after sending a record of its own on <paramref name="inner"/>.</summary>
    private sealed class SendingSerializer(KafkaProducer<string?, byte[]?> inner, string topic) : ISerializer<string?>
    {
        private int _count;

        public List<Task<RecordMetadata>> Sends { get; } = [];

        public bool Serialize(string? data, in SerializationContext context, IBufferWriter<byte> output)
        {
            if (data is null) return false;
            var i = _count++;
            Sends.Add(inner.SendAsync(new ProducerRecord<string?, byte[]?>(topic, $"inner-key-for-{data}", Encoding.UTF8.GetBytes($"inner-value-{i}"))));
            output.Write(Encoding.UTF8.GetBytes(data));
            return true;
        }
    }
}
