using System.Text;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Metrics;
using KafkaActors.Partition;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Records;
using KafkaActors.Tests.Support;
using Xunit;

namespace KafkaActors.Tests.Accumulator;

/// <summary>
/// A batch refused as too large, split (KIP-126): the pieces' bytes are read back with the protocol's batch reader, so a
/// record that changed, moved or vanished in the split shows; and the per-record outcomes of a batch whose records a
/// broker named (KIP-467).
/// </summary>
public sealed class BatchSplitTests
{
    private const int BatchSize = 1024;
    private const int BufferMemory = 8 * BatchSize;

    [Fact]
    public async Task A_split_batch_keeps_every_record_in_order_with_its_completion_and_its_share_of_the_sequences()
    {
        var accumulator = NewAccumulator();
        var batch = NewBatch(accumulator);
        var completions = new List<TaskCompletionSource<RecordMetadata>>();
        var headers = new[] { new RecordHeader("h", "v"u8.ToArray()), new RecordHeader("empty", null) };
        for (var i = 0; i < 20; i++)
        {
            var completion = new TaskCompletionSource<RecordMetadata>();
            completions.Add(completion);
            var key = i == 3 ? null : Encoding.UTF8.GetBytes($"k{i}");
            var value = i == 4 ? null : Encoding.UTF8.GetBytes($"value-{i}-{new string('x', 20)}");
            Assert.True(batch.TryAppend(1000 + i, key, key?.Length ?? -1, value, value?.Length ?? -1, i % 2 == 0 ? headers : [], completion));
        }
        Send(batch, producerId: 7, epoch: 2, baseSequence: 40);
        var sequencer = new PartitionSequencer(idempotent: true);
        sequencer.OnProducerId(7, 2);

        var splitSize = batch.UncompressedBytes / 2;
        var pieces = batch.Split(splitSize);
        sequencer.OnSplit(batch, pieces);

        Assert.True(pieces.Count >= 2);
        Assert.False(batch.Completion.IsCompleted); // a flush waiting for it waits for the pieces
        var offset = 0;
        var sequence = 40;
        var records = new List<KafkaActors.Protocol.Records.Record>();
        for (var p = 0; p < pieces.Count; p++)
        {
            var piece = pieces[p];
            Assert.True(piece.UncompressedBytes <= splitSize);
            Assert.Equal((batch.Ordinal, offset), (piece.Ordinal, piece.SplitOffset));
            Assert.Equal(batch.CreatedMs, piece.CreatedMs);
            if (p > 0) Assert.True(pieces[p - 1].Precedes(piece) && !piece.Precedes(pieces[p - 1]));
            Assert.Equal((7L, (short)2, sequence), (piece.ProducerId, piece.ProducerEpoch, piece.BaseSequence));
            piece.BuildPayload(CompressionType.None, 0);
            sequencer.Prepare(piece); // keeps the piece's sequence: it is no new batch
            Assert.Equal(sequence, piece.BaseSequence);
            var read = RecordBatchReader.Read(Send(piece, 7, 2, piece.BaseSequence));
            Assert.Equal((7L, (short)2, sequence, piece.RecordCount), (read.ProducerId, read.ProducerEpoch, read.BaseSequence, read.Records.Count));
            records.AddRange(read.Records);
            offset += piece.RecordCount;
            sequence += piece.RecordCount;
        }
        Assert.Equal(20, offset);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(1000 + i, records[i].Timestamp);
            Assert.Equal(i == 3 ? null : $"k{i}", records[i].Key is null ? null : Encoding.UTF8.GetString(records[i].Key!));
            Assert.Equal(i == 4 ? null : $"value-{i}-{new string('x', 20)}", records[i].Value is null ? null : Encoding.UTF8.GetString(records[i].Value!));
            var expected = i % 2 == 0 ? headers : [];
            Assert.Equal(expected.Select(h => (h.Key, Text(h.Value))), records[i].Headers.Select(h => (h.Key, Text(h.Value))));
        }

        // Each record completes with its piece, at its own offset; then all memory is back and the split batch completes.
        var baseOffset = 100L;
        foreach (var piece in pieces)
        {
            piece.Complete(baseOffset, -1, null, e => throw e);
            baseOffset += piece.RecordCount;
        }
        for (var i = 0; i < 20; i++) Assert.Equal(100 + i, (await completions[i].Task).Offset);
        await batch.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, accumulator.IncompleteCount);
        Assert.Equal(BufferMemory, accumulator.Pool.AvailableMemory);
    }

    [Fact]
    public async Task A_record_larger_than_the_split_size_goes_alone_so_splitting_again_reaches_single_records()
    {
        var accumulator = NewAccumulator();
        var batch = NewBatch(accumulator);
        foreach (var size in new[] { 10, 400, 10, 10 })
            Assert.True(batch.TryAppend(1, [], 0, new byte[size], size, [], null));
        Send(batch, -1, -1, -1);

        var pieces = batch.Split(200);

        Assert.Equal([1, 1, 2], pieces.Select(p => p.RecordCount));
        Assert.Equal([0, 1, 2], pieces.Select(p => p.SplitOffset));
        Assert.All(pieces, p => Assert.Equal(-1, p.BaseSequence)); // unsequenced: they get sequences when first sent
        var again = pieces[2].Split(pieces[2].UncompressedBytes / 2);
        Assert.Equal([2, 3], again.Select(p => p.SplitOffset));
        Assert.True(pieces[1].Precedes(again[0]) && again[0].Precedes(again[1]));
        foreach (var piece in new[] { pieces[0], pieces[1], again[0], again[1] }) piece.Fail(new InvalidOperationException("done"), null, e => throw e);
        await batch.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(BufferMemory, accumulator.Pool.AvailableMemory);
    }

    [Fact]
    public void A_split_takes_its_memory_even_when_none_is_free_and_appenders_wait_until_it_is_repaid()
    {
        var accumulator = NewAccumulator();
        var held = new List<byte[]>();
        for (var i = 0; i < BufferMemory / BatchSize - 1; i++) held.Add(accumulator.Pool.TryAllocate(BatchSize)!);
        var batch = NewBatch(accumulator);
        for (var i = 0; i < 8; i++) Assert.True(batch.TryAppend(1, [], 0, new byte[100], 100, [], null));
        Send(batch, -1, -1, -1);
        Assert.Equal(0, accumulator.Pool.AvailableMemory);

        var pieces = batch.Split(300);

        Assert.True(pieces.Count >= 3);
        Assert.Null(accumulator.Pool.TryAllocate(BatchSize)); // the pieces' overdraft is not free memory
        foreach (var piece in pieces) piece.Complete(0, -1, null, e => throw e);
        foreach (var buffer in held) accumulator.Pool.Deallocate(buffer);
        Assert.Equal(BufferMemory, accumulator.Pool.AvailableMemory);
    }

    [Fact]
    public void Records_a_broker_named_fail_with_their_own_error_and_the_others_with_a_KafkaException()
    {
        var one = Outcomes(RecordErrorMapping.Exceptions(ErrorCode.InvalidRecord, "batch refused", [new ProduceRecordError(2, "no key")], "Produce to t-0 failed"));
        var invalid = Assert.IsType<InvalidRecordException>(one[2]);
        Assert.Contains("no key", invalid.Message);
        Assert.All(one.Where((_, i) => i != 2), e => Assert.Equal((typeof(KafkaException), RecordErrorMapping.OtherRecordMessage), (e.GetType(), e.Message)));

        // A single named record takes the partition's error type; several are InvalidRecordException, each with its message
        // (or the partition's when it has none).
        var timestamp = Outcomes(RecordErrorMapping.Exceptions(ErrorCode.InvalidTimestamp, null, [new ProduceRecordError(0, "too old")], "ctx"));
        Assert.Equal(ErrorCode.InvalidTimestamp, Assert.IsAssignableFrom<ApiException>(timestamp[0]).ErrorCode);
        var two = Outcomes(RecordErrorMapping.Exceptions(ErrorCode.InvalidTimestamp, "partition says", [new ProduceRecordError(1, "a"), new ProduceRecordError(3, null)], "ctx"));
        Assert.Contains("a", Assert.IsType<InvalidRecordException>(two[1]).Message);
        Assert.Contains("partition says", Assert.IsType<InvalidRecordException>(two[3]).Message);
        Assert.Equal(typeof(KafkaException), two[0].GetType());
    }

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    private static List<Exception> Outcomes(Func<int, Exception> recordExceptions)
    {
        var accumulator = NewAccumulator();
        var batch = NewBatch(accumulator);
        var completions = Enumerable.Range(0, 5).Select(_ => new TaskCompletionSource<RecordMetadata>()).ToList();
        foreach (var completion in completions) Assert.True(batch.TryAppend(1, [], 0, new byte[10], 10, [], completion));
        Send(batch, -1, -1, -1);
        batch.Fail(recordExceptions, null, e => throw e);
        return completions.Select(c => c.Task.Exception!.InnerException!).ToList();
    }

    private static RecordAccumulator NewAccumulator() =>
        new(Producers.Settings("localhost:9092", ("batch.size", BatchSize.ToString()), ("buffer.memory", BufferMemory.ToString())), new ProducerMetrics(30_000, 2));

    private static ProducerBatch NewBatch(RecordAccumulator accumulator)
    {
        var buffer = accumulator.Pool.TryAllocate(BatchSize)!;
        var batch = new ProducerBatch(new TopicPartition("t", 0), 5, buffer, buffer.Length, accumulator, nowMs: 77);
        accumulator.Track(batch);
        return batch;
    }

    /// <summary>One attempt, answered: what the partition actor does before it splits a batch. Returns the bytes sent.</summary>
    private static byte[] Send(ProducerBatch batch, long producerId, short epoch, int baseSequence)
    {
        batch.Seal();
        batch.BuildPayload(CompressionType.None, 0);
        batch.PrepareForSend(producerId, epoch, baseSequence);
        batch.Lend();
        var sent = batch.Payload.ToArray();
        batch.Return();
        return sent;
    }
}
