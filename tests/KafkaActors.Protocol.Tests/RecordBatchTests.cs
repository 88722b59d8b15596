using System.Buffers.Binary;
using System.Text;
using KafkaActors.Protocol.Compression;
using KafkaActors.Protocol.Primitives;
using KafkaActors.Protocol.Records;
using Xunit;

namespace KafkaActors.Protocol.Tests;

public class RecordBatchTests
{
    private static byte[] Build(Action<RecordBatchBuilder> append, long producerId = -1, short epoch = -1, int sequence = -1)
    {
        var builder = new RecordBatchBuilder();
        var buffer = new byte[4096];
        builder.Reset(buffer, buffer.Length);
        append(builder);
        var batch = buffer.AsSpan(0, builder.SizeInBytes);
        RecordBatchHeader.Write(batch, CompressionType.None, false, builder.RecordCount, builder.BaseTimestamp, builder.MaxTimestamp, producerId, epoch, sequence);
        return batch.ToArray();
    }

    private static bool Append(RecordBatchBuilder b, long ts, string? key, string? value, params RecordHeader[] headers)
    {
        var k = key is null ? null : Encoding.UTF8.GetBytes(key);
        var v = value is null ? null : Encoding.UTF8.GetBytes(value);
        return b.TryAppend(ts, k, k?.Length ?? -1, v, v?.Length ?? -1, headers);
    }

    [Fact]
    public void Single_record_batch_matches_golden_bytes()
    {
        // CRC computed independently (bitwise CRC-32C over attributes..end).
        var expected = Hex.Parse(
            "0000000000000000 | 0000003A | FFFFFFFF | 02 | 716A6189 | 0000 | 00000000 |" +
            "00000000000003E8 | 00000000000003E8 | FFFFFFFFFFFFFFFF | FFFF | FFFFFFFF | 00000001 |" +
            "10 00 00 00 02 6B 02 76 00");
        Assert.Equal(Hex.Format(expected), Hex.Format(Build(b => Append(b, 1000, "k", "v"))));
    }

    [Fact]
    public void Idempotent_batch_with_headers_and_null_key_matches_golden_bytes()
    {
        var expected = Hex.Parse(
            "0000000000000000 | 00000047 | FFFFFFFF | 02 | 7291AA74 | 0000 | 00000001 |" +
            "00000000000003E8 | 00000000000003EB | 0000000000000FA0 | 0000 | 00000005 | 00000002 |" +
            "18 00 00 00 02 6B 02 76 02 02 68 02 31 | 10 00 06 02 01 04 7632 00");
        var actual = Build(b =>
        {
            Append(b, 1000, "k", "v", new RecordHeader("h", "1"u8.ToArray()));
            Append(b, 1003, null, "v2");
        }, producerId: 4000, epoch: 0, sequence: 5);
        Assert.Equal(Hex.Format(expected), Hex.Format(actual));
    }

    [Fact]
    public void Round_trip_with_and_without_keys_headers_and_null_values()
    {
        var bytes = Build(b =>
        {
            Append(b, 5000, "key-1", "value-1");
            Append(b, 4990, null, "no key, earlier timestamp");
            Append(b, 5010, "tombstone", null);
            Append(b, 5020, "h", "with headers", new RecordHeader("trace", [1, 2, 3]), new RecordHeader("empty", []), new RecordHeader("null", null));
            Append(b, 5030, "", "");
        });
        var batch = RecordBatchReader.Read(bytes);
        Assert.Equal(5, batch.Records.Count);
        Assert.Equal(4, batch.LastOffsetDelta);
        Assert.Equal(5000, batch.BaseTimestamp);
        Assert.Equal(5030, batch.MaxTimestamp);
        Assert.Equal([0L, 1, 2, 3, 4], batch.Records.Select(r => r.Offset));
        Assert.Equal([5000L, 4990, 5010, 5020, 5030], batch.Records.Select(r => r.Timestamp));
        Assert.Null(batch.Records[1].Key);
        Assert.Null(batch.Records[2].Value);
        Assert.Equal("with headers", Encoding.UTF8.GetString(batch.Records[3].Value!));
        Assert.Equal(["trace", "empty", "null"], batch.Records[3].Headers.Select(h => h.Key));
        Assert.Equal([1, 2, 3], batch.Records[3].Headers[0].Value!);
        Assert.Empty(batch.Records[3].Headers[1].Value!);
        Assert.Null(batch.Records[3].Headers[2].Value);
        Assert.Empty(batch.Records[4].Key!);
        Assert.Empty(batch.Records[4].Value!);
    }

    [Fact]
    public void Append_refuses_a_record_that_does_not_fit_and_writes_nothing()
    {
        var builder = new RecordBatchBuilder();
        var buffer = new byte[100];
        builder.Reset(buffer, 100);
        Assert.True(Append(builder, 1, "k", new string('x', 20)));
        var size = builder.SizeInBytes;
        Assert.False(Append(builder, 1, "k", new string('x', 20)));
        Assert.Equal(size, builder.SizeInBytes);
        Assert.Equal(1, builder.RecordCount);
    }

    [Fact]
    public void Upper_bound_estimate_is_never_below_the_real_size()
    {
        var headers = new[] { new RecordHeader("h", new byte[10]) };
        var estimate = RecordBatchBuilder.EstimateSizeUpperBound(3, 300, headers);
        var bytes = Build(b => b.TryAppend(long.MaxValue / 2, new byte[3], 3, new byte[300], 300, headers));
        Assert.True(estimate >= bytes.Length, $"{estimate} < {bytes.Length}");
    }

    [Fact]
    public void Corrupted_batch_fails_the_crc_check()
    {
        var bytes = Build(b => Append(b, 1000, "k", "v"));
        bytes[^1] ^= 0xFF;
        Assert.Throws<KafkaProtocolException>(() => RecordBatchReader.Read(bytes));
    }

    [Fact]
    public void Producer_state_rewrite_keeps_the_crc_valid()
    {
        var bytes = Build(b => Append(b, 1000, "k", "v"), 1, 0, 0);
        RecordBatchHeader.SetProducerState(bytes, 77, 3, 42);
        var batch = RecordBatchReader.Read(bytes);
        Assert.Equal((77L, (short)3, 42), (batch.ProducerId, batch.ProducerEpoch, batch.BaseSequence));
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Compressed_records_section_round_trips(CompressionType codec)
    {
        var builder = new RecordBatchBuilder();
        var buffer = new byte[200_000];
        builder.Reset(buffer, buffer.Length);
        for (var i = 0; i < 1000; i++)
        {
            var value = Encoding.UTF8.GetBytes($"value-{i}-{new string('z', i % 50)}");
            Assert.True(builder.TryAppend(1000 + i, null, -1, value, value.Length, []));
        }

        using var compressed = new PooledBufferWriter();
        compressed.GetSpan(RecordBatchLayout.HeaderSize);
        compressed.Advance(RecordBatchLayout.HeaderSize);
        CompressionCodecs.Compress(codec, CompressionCodecs.DefaultLevel(codec), builder.Records, compressed);
        Assert.True(compressed.WrittenCount < builder.SizeInBytes / 2, $"{codec} did not compress: {compressed.WrittenCount}");
        RecordBatchHeader.Write(compressed.WrittenSpanMutable, codec, false, builder.RecordCount, builder.BaseTimestamp, builder.MaxTimestamp, -1, -1, -1);

        var batch = RecordBatchReader.Read(compressed.WrittenSpan);
        Assert.Equal(codec, batch.Compression);
        Assert.Equal(1000, batch.Records.Count);
        Assert.Equal("value-999-" + new string('z', 999 % 50), Encoding.UTF8.GetString(batch.Records[999].Value!));
    }

    [Fact]
    public void Snappy_reads_xerial_framing_and_raw_blocks()
    {
        var data = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("kafka-actors ", 10_000)));
        using var framed = new PooledBufferWriter();
        CompressionCodecs.Compress(CompressionType.Snappy, 0, data, framed);
        Assert.Equal(0x82, framed.WrittenSpan[0]); // xerial magic, as Java writes
        using var back = new PooledBufferWriter();
        CompressionCodecs.Decompress(CompressionType.Snappy, framed.WrittenSpan, back);
        Assert.Equal(data, back.ToArray());

        var raw = Snappier.Snappy.CompressToArray(data);
        using var back2 = new PooledBufferWriter();
        CompressionCodecs.Decompress(CompressionType.Snappy, raw, back2);
        Assert.Equal(data, back2.ToArray());
    }

    [Fact]
    public void Lz4_frame_is_kafka_compatible()
    {
        using var output = new PooledBufferWriter();
        CompressionCodecs.Compress(CompressionType.Lz4, 9, new byte[1000], output);
        var frame = output.WrittenSpan;
        Assert.Equal(Hex.Format(Hex.Parse("04224D18")), Hex.Format(frame[..4])); // LZ4 frame magic
        Assert.Equal(0x60, frame[4]); // FLG: version 01, block independence, no checksums, no content size
        Assert.Equal(0x40, frame[5]); // BD: 64 KiB blocks
        Assert.Equal(0x82, frame[6]); // HC: second byte of xxHash32(FLG, BD), what Java's KafkaLZ4BlockOutputStream writes
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(frame[^4..])); // the end mark
    }

    [Fact]
    public void Lz4_frame_has_independent_64_KiB_blocks_stores_incompressible_ones_as_is_and_decodes()
    {
        // 64 KiB of text, 64 KiB of noise, then 10,000 bytes of text: three blocks, the second stored uncompressed.
        var data = new byte[2 * 65536 + 10_000];
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("kafka-actors lz4 block ", 10_000)));
        text.AsSpan(0, 65536).CopyTo(data);
        new Random(9).NextBytes(data.AsSpan(65536, 65536));
        text.AsSpan(0, 10_000).CopyTo(data.AsSpan(2 * 65536));

        using var output = new PooledBufferWriter();
        CompressionCodecs.Compress(CompressionType.Lz4, 9, data, output);
        var frame = output.WrittenSpan;
        var sizes = new List<uint>();
        for (var offset = 7; ;)
        {
            var size = BinaryPrimitives.ReadUInt32LittleEndian(frame[offset..]);
            if (size == 0) { Assert.Equal(frame.Length, offset + 4); break; }
            sizes.Add(size);
            offset += 4 + (int)(size & 0x7FFFFFFF);
        }
        Assert.Equal(3, sizes.Count);
        Assert.True(sizes[0] < 65536 / 4, $"first block {sizes[0]}");
        Assert.Equal(0x80000000u | 65536, sizes[1]);
        Assert.True(sizes[2] < 10_000, $"last block {sizes[2]}");

        using var back = new PooledBufferWriter();
        CompressionCodecs.Decompress(CompressionType.Lz4, frame, back);
        Assert.Equal(data, back.ToArray());
        // And the frame decoded by K4os' decoder directly, the one that reads librdkafka's frames too.
        Assert.Equal(data, K4os.Compression.LZ4.Streams.LZ4Frame.Decode(frame.ToArray(), new System.Buffers.ArrayBufferWriter<byte>()).WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(9)] // lz4's fast compressor
    [InlineData(4)] // the high-compression one
    public void Lz4_compression_of_a_batch_allocates_nothing(int level)
    {
        var data = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("value-of-a-record ", 20_000)));
        using var output = new PooledBufferWriter(data.Length + 1024);
        CompressionCodecs.Compress(CompressionType.Lz4, level, data, output); // warm-up: static state, JIT
        // The fewest bytes of 5 runs: lz4's pooled encoder state is dropped now and then by a GC of the tests running
        // alongside (about 8 KB once, seen in a full-suite run); an allocation per batch shows in every run.
        var fewest = long.MaxValue;
        for (var run = 0; run < 5; run++)
        {
            output.Clear();
            var before = GC.GetAllocatedBytesForCurrentThread();
            CompressionCodecs.Compress(CompressionType.Lz4, level, data, output);
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, fewest);
    }
}
