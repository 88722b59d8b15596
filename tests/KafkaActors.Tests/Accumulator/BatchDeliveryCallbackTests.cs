using System.Collections.Concurrent;
using KafkaActors.Accumulator;
using KafkaActors.Metrics;
using KafkaActors.Protocol.Records;
using KafkaActors.Tests.Support;
using Xunit;

namespace KafkaActors.Tests.Accumulator;

/// <summary>
/// Completions with a <see cref="BatchDeliveryCallback"/> (perf-test's): each record exactly once, in order, with its
/// CreateTime, mixed with other completion kinds; a run per batch callback ended once; a throwing callback stops nothing.
/// The producer's path is read back from the broker.
/// </summary>
public sealed class BatchDeliveryCallbackTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task A_batch_completes_every_record_in_order_once_and_ends_each_run_of_a_batch_callback()
    {
        var log = new List<string>();
        var a = new LoggingCallback("a", log);
        var b = new LoggingCallback("b", log, throwAt: 55);
        var task = new TaskCompletionSource<RecordMetadata>();
        object?[] completions = [a, a, task, a, b, b, (Action<RecordMetadata, Exception?>)((m, _) => log.Add($"action {m.Offset}")), a, null];
        var batch = NewBatch();
        for (var i = 0; i < completions.Length; i++) Assert.True(batch.TryAppend(1000 + i, [], 0, new byte[10], 10, [], completions[i]));
        var callbackErrors = new List<Exception>();

        batch.Complete(50, logAppendTime: 1234, null, callbackErrors.Add);
        batch.Complete(90, -1, null, callbackErrors.Add); // completes once

        // The LogAppendTime is the metadata's timestamp; the CreateTime comes apart. A record with another batch callback
        // ends the open run; other completions in between do not.
        Assert.Equal(
            ["a 50 1234 1000", "a 51 1234 1001", "a 53 1234 1003", "a end 3", "b 54 1234 1004", "b 55 1234 1005", "action 56", "b end 2",
             "a 57 1234 1007", "a end 1"], log);
        Assert.Equal(52, (await task.Task).Offset);
        Assert.Equal("b threw at 55", Assert.Single(callbackErrors).Message);
    }

    [Fact]
    public void A_failed_batch_gives_every_record_its_exception_and_a_record_failed_outside_a_batch_is_a_run_of_one()
    {
        var log = new List<string>();
        var a = new LoggingCallback("a", log);
        var batch = NewBatch();
        for (var i = 0; i < 3; i++) Assert.True(batch.TryAppend(7, [], 0, new byte[10], 10, [], a));

        batch.Fail(new InvalidOperationException("gone"), null, e => throw e);
        DeliveryCompletion.Complete(a, new RecordMetadata("t", 0, RecordMetadata.UnknownOffset, -1, -1, -1), new InvalidOperationException("alone"), null, e => throw e);

        Assert.Equal(["a -1 7 7 gone", "a -1 7 7 gone", "a -1 7 7 gone", "a end 3", "a -1 -1 -1 alone", "a end 1"], log);
    }

    [Fact]
    public async Task Through_the_producer_every_record_is_told_once_with_the_CreateTime_it_was_written_with()
    {
        const int Count = 20_000;
        var topic = fixture.CreateTopic("batch-callback", 4);
        var callback = new RecordingCallback();
        var explicitTimestamp = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (var producer = Producers.Bytes(fixture.Bootstrap, ("linger.ms", "20")))
        {
            for (var i = 0; i < Count; i++)
            {
                // Half the records carry their own timestamp; the producer stamps the others at send.
                long? timestamp = i % 2 == 0 ? explicitTimestamp + i : null;
                producer.Send(new ProducerRecord<byte[]?, byte[]?>(topic, null, timestamp, null, BitConverter.GetBytes(i)), callback);
            }
            producer.Flush();
        }
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.Empty(callback.Errors);
        Assert.Equal(0, callback.Misordered);
        Assert.InRange(callback.Runs, 1, Count);
        var found = fixture.ReadAll(topic).ToDictionary(r => (r.Partition, r.Offset));
        Assert.Equal(Count, found.Count);
        var seen = new HashSet<int>();
        foreach (var (metadata, createTime) in callback.Completed)
        {
            var record = found[(metadata.Partition, metadata.Offset)];
            var i = BitConverter.ToInt32(record.Value);
            Assert.True(seen.Add(i), $"record {i} told twice");
            Assert.Equal(record.Timestamp, createTime);
            if (i % 2 == 0) Assert.Equal(explicitTimestamp + i, createTime);
            else Assert.InRange(createTime, before, after);
        }
        Assert.Equal(Count, seen.Count);
    }

    private static ProducerBatch NewBatch()
    {
        var accumulator = new RecordAccumulator(Producers.Settings("localhost:9092"), new ProducerMetrics(30_000, 2));
        var buffer = accumulator.Pool.TryAllocate(16384)!;
        var batch = new ProducerBatch(new TopicPartition("t", 0), 1, buffer, buffer.Length, accumulator, nowMs: 1);
        accumulator.Track(batch);
        batch.Seal();
        batch.BuildPayload(CompressionType.None, 0);
        return batch;
    }

    /// <summary>Logs what it is told (one thread). Not thread-safe.</summary>
    private sealed class LoggingCallback(string name, List<string> log, long? throwAt = null) : BatchDeliveryCallback
    {
        public override void OnCompletion(in RecordMetadata metadata, long createTime, Exception? exception, ref object? batchState)
        {
            // The state is the run's own: null at its first record.
            batchState = (int?)batchState + 1 ?? 1;
            log.Add($"{name} {metadata.Offset} {metadata.Timestamp} {createTime}{(exception is null ? "" : " " + exception.Message)}");
            if (metadata.Offset == throwAt) throw new InvalidOperationException($"{name} threw at {throwAt}");
        }

        public override void OnBatchEnd(object? batchState) => log.Add($"{name} end {batchState}");
    }

    /// <summary>
    /// Records every outcome, and checks the contract per thread: an end only after records, and records of one
    /// partition only in one run at a time. Thread-safe.
    /// </summary>
    private sealed class RecordingCallback : BatchDeliveryCallback
    {
        [ThreadStatic] private static int t_openPartition;
        [ThreadStatic] private static bool t_open;
        private int _runs;
        private int _misordered;

        public ConcurrentQueue<(RecordMetadata Metadata, long CreateTime)> Completed { get; } = new();
        public ConcurrentQueue<Exception> Errors { get; } = new();
        public int Runs => Volatile.Read(ref _runs);
        public int Misordered => Volatile.Read(ref _misordered);

        public override void OnCompletion(in RecordMetadata metadata, long createTime, Exception? exception, ref object? batchState)
        {
            if (t_open && t_openPartition != metadata.Partition) Interlocked.Increment(ref _misordered);
            t_open = true;
            t_openPartition = metadata.Partition;
            if (exception is not null) Errors.Enqueue(exception);
            else Completed.Enqueue((metadata, createTime));
        }

        public override void OnBatchEnd(object? batchState)
        {
            if (!t_open) Interlocked.Increment(ref _misordered);
            t_open = false;
            Interlocked.Increment(ref _runs);
        }
    }
}
