using System.Text;
using KafkaActors.Protocol.Hashing;
using KafkaActors.Testing;
using Xunit;

namespace KafkaActors.Tests.Support;

/// <summary>Compares what was sent with what the independent reader found in the topic.</summary>
public static class RecordAssert
{
    public static byte[]? Utf8(string? s) => s is null ? null : Encoding.UTF8.GetBytes(s);

    public static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    /// <summary>Key, value, headers (order, repeats, null values) byte for byte; the timestamp if the record set one.</summary>
    public static void Same<TKey, TValue>(ProducerRecord<TKey, TValue> sent, ConsumedRecord found, Func<TKey, byte[]?> keyBytes, Func<TValue, byte[]?> valueBytes)
    {
        Assert.Equal(sent.Topic, found.Topic);
        AssertBytes(keyBytes(sent.Key), found.Key, "key");
        AssertBytes(valueBytes(sent.Value), found.Value, "value");
        var sentHeaders = sent.Headers?.Select(h => (h.Key, h.Value)).ToArray() ?? [];
        Assert.Equal(sentHeaders.Length, found.Headers.Count);
        for (var i = 0; i < sentHeaders.Length; i++)
        {
            Assert.Equal(sentHeaders[i].Key, found.Headers[i].Key);
            AssertBytes(sentHeaders[i].Value, found.Headers[i].Value, $"header #{i} ({sentHeaders[i].Key})");
        }
        Assert.Equal(RecordTimestampType.CreateTime, found.TimestampType);
        if (sent.Partition is { } partition) Assert.Equal(partition, found.Partition);
        if (sent.Timestamp is { } timestamp) Assert.Equal(timestamp, found.Timestamp);
    }

    public static void Same(ProducerRecord<string?, string?> sent, ConsumedRecord found) => Same(sent, found, Utf8, Utf8);

    public static void AssertBytes(byte[]? expected, byte[]? actual, string what)
    {
        if (expected is null)
        {
            Assert.True(actual is null, $"{what}: expected null, found {actual?.Length} bytes");
            return;
        }
        Assert.True(actual is not null, $"{what}: expected {expected.Length} bytes, found null");
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{what}: expected [{Convert.ToHexString(expected)}], found [{Convert.ToHexString(actual!)}]");
    }

    /// <summary>The metadata our producer returned points at the very record the reader found there.</summary>
    public static ConsumedRecord At(IReadOnlyDictionary<(int Partition, long Offset), ConsumedRecord> byPosition, RecordMetadata metadata)
    {
        Assert.True(metadata.Offset >= 0, $"metadata {metadata} has no offset");
        Assert.True(byPosition.TryGetValue((metadata.Partition, metadata.Offset), out var found),
            $"nothing in the topic at {metadata.Partition}@{metadata.Offset}");
        return found!;
    }

    public static Dictionary<(int Partition, long Offset), ConsumedRecord> ByPosition(IEnumerable<ConsumedRecord> records) =>
        records.ToDictionary(r => (r.Partition, r.Offset));

    public static int Murmur2Partition(byte[] key, int partitions) => Murmur2.Partition(key, partitions);

    /// <summary>Every partition's records, in offset order, dense from its first offset (nothing skipped).</summary>
    public static void DenseOffsets(IEnumerable<ConsumedRecord> records)
    {
        foreach (var partition in records.GroupBy(r => r.Partition))
        {
            var offsets = partition.Select(r => r.Offset).ToList();
            var first = offsets[0];
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(i => first + i), offsets);
        }
    }
}

public static class Sync
{
    /// <summary>Runs a send that must not throw (its errors belong in the task, as Java's ApiExceptions).</summary>
    public static Task<T> MustNotThrow<T>(Func<Task<T>> send)
    {
        try
        {
            return send();
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"SendAsync threw synchronously instead of faulting the task: {e}");
        }
    }
}
