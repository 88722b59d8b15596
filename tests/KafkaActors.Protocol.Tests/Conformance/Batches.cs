using System.Buffers.Binary;
using System.Text;
using KafkaActors.Protocol.Compression;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;
using KafkaActors.Protocol.Records;
using KafkaActors.Testing;
using Xunit;
using L = KafkaActors.Protocol.Records.RecordBatchLayout;

namespace KafkaActors.Protocol.Tests.Conformance;

/// <summary>A record as the test means to send it.</summary>
internal sealed record TestRecord(long Timestamp, byte[]? Key, byte[]? Value, RecordHeader[] Headers);

/// <summary>Producer state to stamp into a batch header (defaults: not idempotent).</summary>
internal readonly record struct ProducerState(long ProducerId, short Epoch, int BaseSequence)
{
    public static readonly ProducerState None = new(L.NoProducerId, L.NoProducerEpoch, L.NoSequence);
}

/// <summary>Builds RecordBatch v2 bytes with our <see cref="RecordBatchBuilder"/> and <see cref="RecordBatchHeader"/>, and checks them against what Confluent reads back.</summary>
internal static class Batches
{
    /// <summary>
    /// A few records that cover the encoding's corners: keys and null keys, null and empty values,
    /// headers with null / empty / binary values and empty / non-ASCII keys, an empty key and value, a timestamp below the base
    /// (negative delta), and a value large and repetitive enough to make every codec actually compress.
    /// </summary>
    public static TestRecord[] Sample(string tag, long baseTimestamp = 1_700_000_000_000)
    {
        var bytes = new byte[256];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)i;
        var big = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"{tag}: the quick brown fox jumps over the lazy dog. ", 40)));
        return
        [
            new(baseTimestamp, U($"key-0-{tag}"), U($"value-0-{tag}"), []),
            new(baseTimestamp + 5, U($"key-1-{tag}"), null, [new("h-bytes", [1, 2, 3]), new("h-null", null)]),
            new(baseTimestamp - 17, null, U($"no key, earlier timestamp ({tag})"), [new("h-empty", [])]),
            new(baseTimestamp + 1_000, bytes, big, [new("ключ-ü", U("✓ unicode")), new("h-bytes", bytes)]),
            new(baseTimestamp + 3, [], [], [new("", U($"empty key and value ({tag})"))]),
            new(baseTimestamp + 86_400_000, U($"key-5-{tag}"), U("last"), []),
        ];
    }

    /// <summary>
    /// Many mid-sized records (about 300 KB in all): multi-byte offset-delta and length varints, several
    /// 32 KiB snappy blocks and 64 KiB lz4 blocks, and a gzip/zstd stream well past one buffer.
    /// Values are half random, half repetitive, so they compress but not to nothing.
    /// </summary>
    public static TestRecord[] Large(string tag, int count = 400, long baseTimestamp = 1_700_000_000_000)
    {
        var random = new Random(count);
        var records = new TestRecord[count];
        for (var i = 0; i < count; i++)
        {
            var value = new byte[600 + random.Next(400)];
            random.NextBytes(value.AsSpan(0, value.Length / 2));
            value.AsSpan(value.Length / 2).Fill((byte)('a' + i % 26));
            RecordHeader[] headers = i % 7 == 0 ? [new("seq", BitConverter.GetBytes(i))] : [];
            records[i] = new TestRecord(baseTimestamp + i * 3, U($"{tag}-{i}"), value, headers);
        }
        return records;
    }

    public static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Builds one batch: records appended uncompressed, then the records section compressed if asked, then the header and CRC.</summary>
    public static byte[] Build(IReadOnlyList<TestRecord> records, CompressionType compression = CompressionType.None, ProducerState? producer = null)
    {
        var state = producer ?? ProducerState.None;
        var builder = new RecordBatchBuilder();
        var buffer = new byte[1024 * 1024];
        builder.Reset(buffer, buffer.Length);
        foreach (var r in records)
        {
            Assert.True(builder.TryAppend(r.Timestamp, r.Key, r.Key?.Length ?? -1, r.Value, r.Value?.Length ?? -1, r.Headers),
                "record does not fit the test buffer");
        }
        Assert.Equal(records.Count, builder.RecordCount);

        byte[] batch;
        if (compression == CompressionType.None)
        {
            batch = buffer.AsSpan(0, builder.SizeInBytes).ToArray();
        }
        else
        {
            using var compressed = new PooledBufferWriter(builder.SizeInBytes);
            CompressionCodecs.Compress(compression, CompressionCodecs.DefaultLevel(compression), builder.Records, compressed);
            batch = new byte[L.HeaderSize + compressed.WrittenCount];
            compressed.WrittenSpan.CopyTo(batch.AsSpan(L.HeaderSize));
        }
        RecordBatchHeader.Write(batch, compression, transactional: false, builder.RecordCount, builder.BaseTimestamp, builder.MaxTimestamp,
            state.ProducerId, state.Epoch, state.BaseSequence);
        return batch;
    }

    /// <summary>The compression bits of a built batch's attributes.</summary>
    public static CompressionType CompressionOf(ReadOnlySpan<byte> batch) =>
        (CompressionType)(BinaryPrimitives.ReadInt16BigEndian(batch[L.Attributes..]) & L.CompressionMask);

    /// <summary>A Produce request (acks=-1) with one batch for one partition.</summary>
    public static ProduceRequest Request(string topic, int partition, byte[] batch, short acks = -1) =>
        new(null, acks, 10_000, [new ProducePartitionData(topic, partition, batch)]);

    /// <summary>Parses a Produce response holding exactly one partition and returns it.</summary>
    public static PartitionProduceResponse Single(byte[] body, short version, string topic, int partition)
    {
        var response = ProduceResponse.Parse(body, version);
        var p = Assert.Single(response.Partitions);
        Assert.Equal(topic, p.Topic);
        Assert.Equal(partition, p.Partition);
        Assert.Equal(0, response.ThrottleTimeMs);
        return p;
    }

    public static void AssertSuccess(PartitionProduceResponse p, long expectedBaseOffset, short version)
    {
        Assert.True(p.ErrorCode == ErrorCode.None, $"Produce v{version}: {p.ErrorCode} ({p.ErrorMessage})");
        Assert.Equal(expectedBaseOffset, p.BaseOffset);
        // Mock quirk: it always reports LogAppendTime 1234, although the topic uses CreateTime (a real broker says -1).
        Assert.Equal(1234, p.LogAppendTimeMs);
        // LogStartOffset exists from v5 (the mock writes it only from v6; v5 is covered separately).
        Assert.Equal(version >= 5 ? 0 : -1, p.LogStartOffset);
        Assert.Null(p.ErrorMessage);
    }

    /// <summary>Reads the topic back with Confluent's consumer (check.crcs=true) and compares every field byte for byte.</summary>
    public static void AssertReadBack(MockClusterFixture cluster, string topic, int partition, IReadOnlyList<TestRecord> expected, long firstOffset = 0)
    {
        var consumed = KafkaReader.ReadAll(cluster.Kafka.BootstrapServers, topic, MockClusterFixture.Timeout);
        AssertRecords(consumed, topic, partition, expected, firstOffset);
    }

    public static void AssertRecords(IReadOnlyList<ConsumedRecord> consumed, string topic, int partition, IReadOnlyList<TestRecord> expected, long firstOffset = 0)
    {
        var mine = consumed.Where(c => c.Topic == topic && c.Partition == partition).ToList();
        Assert.Equal(expected.Count, mine.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var c = mine[i];
            var at = $"{topic}[{partition}] record {i}";
            Assert.True(firstOffset + i == c.Offset, $"{at}: offset {c.Offset}, expected {firstOffset + i}");
            Assert.True(e.Timestamp == c.Timestamp, $"{at}: timestamp {c.Timestamp}, expected {e.Timestamp}");
            Assert.Equal(RecordTimestampType.CreateTime, c.TimestampType);
            AssertBytes(e.Key, c.Key, $"{at} key");
            AssertBytes(e.Value, c.Value, $"{at} value");
            Assert.True(e.Headers.Length == c.Headers.Count, $"{at}: {c.Headers.Count} headers, expected {e.Headers.Length}");
            for (var h = 0; h < e.Headers.Length; h++)
            {
                Assert.Equal(e.Headers[h].Key, c.Headers[h].Key);
                AssertBytes(e.Headers[h].Value, c.Headers[h].Value, $"{at} header '{e.Headers[h].Key}'");
            }
        }
        Assert.DoesNotContain(consumed, c => c.Topic == topic && c.Partition != partition);
    }

    public static void AssertBytes(byte[]? expected, byte[]? actual, string what)
    {
        if (expected is null)
        {
            Assert.True(actual is null, $"{what}: expected null, got {actual?.Length} bytes");
            return;
        }
        Assert.True(actual is not null, $"{what}: expected {expected.Length} bytes, got null");
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{what}: expected {Hex.Format(expected)}, got {Hex.Format(actual)}");
    }
}
