using KafkaActors.Settings;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// The workload through KafkaActors' facade: Send with a shared callback (a per-record one only for latency samples),
/// starting from the endpoint's properties (bootstrap.servers and any security settings). A transactional workload
/// gets its own transactional.id and commits with the blocking CommitTransaction on the sending thread.
/// </summary>
public static class KafkaActorsClient
{
    public static async Task<RunResult> Run(Endpoint endpoint, string topic, Workload workload, Action<int> setRtt)
    {
        var settings = ProducerSettings.FromProperties(endpoint.JavaProperties.Concat(new Dictionary<string, string>
        {
            ["acks"] = "all",
            ["linger.ms"] = workload.LingerMs.ToString(),
            ["batch.size"] = workload.BatchSize.ToString(),
            ["buffer.memory"] = Workload.BufferMemory.ToString(),
            ["compression.type"] = workload.Compression,
            ["enable.idempotence"] = workload.Idempotence ? "true" : "false",
            ["max.in.flight.requests.per.connection"] = "5",
            ["send.buffer.bytes"] = "-1", // the OS default, as librdkafka's socket.send.buffer.bytes = 0
        }).Concat(Transactional(workload)).Concat(Overrides()).GroupBy(kv => kv.Key).Select(g => g.Last()));
        await using var producer = new KafkaProducer<byte[]?, byte[]>(settings);
        if (workload.TransactionMs > 0) await producer.InitTransactionsAsync();
        var records = Records(topic, workload);

        await WarmUp.Run(setRtt, Workload.WarmUpRecords(workload), count =>
        {
            var warmUp = new Measurement(count);
            return Send(producer, records, workload with { Records = count, RatePerSecond = 0 }, warmUp, SampledCallbacks(warmUp, count));
        });

        var measurement = new Measurement(workload.Records, endpoint.BrokerProcessorTime);
        var sampled = SampledCallbacks(measurement, workload.Records); // the harness's objects, made before measuring the client
        measurement.Start();
        return await Send(producer, records, workload, measurement, sampled);
    }

    private static async Task<RunResult> Send(KafkaProducer<byte[]?, byte[]> producer, ProducerRecord<byte[]?, byte[]>[] records, Workload workload, Measurement measurement,
        SampledCallback[] sampled)
    {
        var counter = new CountingCallback(measurement);
        var limiter = new RateLimiter(workload.RatePerSecond);
        var transactions = new TransactionTimer(workload.TransactionMs);
        for (var i = 0; i < workload.Records; i++)
        {
            limiter.Wait(i);
            if (transactions.Enabled && !transactions.IsOpen)
            {
                producer.BeginTransaction();
                transactions.Begun();
            }
            var record = records[i % records.Length];
            if (LatencyRecorder.Sampled(i))
            {
                measurement.Latency.Sent(i);
                producer.Send(record, sampled[i / LatencyRecorder.SampleEvery]);
            }
            else
            {
                producer.Send(record, counter);
            }
            if (transactions.CommitDue()) producer.CommitTransaction();
        }
        if (transactions.CommitLast()) producer.CommitTransaction();
        transactions.Report("KafkaActors", workload.Records);
        return await measurement.Finish("KafkaActors", workload.ValueSize, TimeSpan.FromMinutes(2));
    }

    private static IEnumerable<KeyValuePair<string, string>> Transactional(Workload workload) => workload.TransactionMs > 0
        ? [new("transactional.id", $"bench-ka-{Guid.NewGuid():N}")]
        : [];

    /// <summary>KAFKA_ACTORS_BENCH_PROPS="k=v;k=v": extra settings for experiments (never needed for the table).</summary>
    private static IEnumerable<KeyValuePair<string, string>> Overrides() =>
        (Environment.GetEnvironmentVariable("KAFKA_ACTORS_BENCH_PROPS") ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => new KeyValuePair<string, string>(kv[0].Trim(), kv[1].Trim()));

    private static ProducerRecord<byte[]?, byte[]>[] Records(string topic, Workload workload)
    {
        var value = Payload.Create(workload.ValueSize);
        if (workload.DistinctKeys == 0) return [new ProducerRecord<byte[]?, byte[]>(topic, null, value)];
        return Enumerable.Range(0, workload.DistinctKeys).Select(k => new ProducerRecord<byte[]?, byte[]>(topic, Payload.Key(k), value)).ToArray();
    }

    private sealed class CountingCallback(Measurement measurement) : IDeliveryCallback
    {
        public void OnCompletion(RecordMetadata metadata, Exception? exception) => measurement.Completed(exception is null);
    }

    /// <summary>One callback per sampled record (it knows the record's index), for <see cref="Send"/>.</summary>
    private static SampledCallback[] SampledCallbacks(Measurement measurement, int records) =>
        Enumerable.Range(0, records / LatencyRecorder.SampleEvery + 1).Select(s => new SampledCallback(measurement, s * LatencyRecorder.SampleEvery)).ToArray();

    private sealed class SampledCallback(Measurement measurement, int index) : IDeliveryCallback
    {
        public void OnCompletion(RecordMetadata metadata, Exception? exception)
        {
            measurement.Latency.Acknowledged(index);
            measurement.Completed(exception is null);
        }
    }
}
