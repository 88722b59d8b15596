using Confluent.Kafka;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// The same workload through Confluent.Kafka (librdkafka), configured like KafkaActors: same acks,
/// linger, batch size, compression, idempotence and buffer memory, delivery handlers instead of
/// awaiting each send, and the usual Poll-and-retry when its local queue is full. Starts from the endpoint's
/// configuration, as KafkaActors does. A transactional workload gets its own transactional.id and commits with the
/// blocking CommitTransaction on the sending thread, as KafkaActors does.
/// </summary>
public static class ConfluentClient
{
    public static async Task<RunResult> Run(Endpoint endpoint, string topic, Workload workload, Action<int> setRtt)
    {
        // ProducerConfig keeps the dictionary it is given, so give it its own.
        var config = new ProducerConfig(endpoint.ConfluentConfig.ToDictionary())
        {
            Acks = Acks.All,
            LingerMs = workload.LingerMs,
            BatchSize = workload.BatchSize,
            BatchNumMessages = 1_000_000,
            QueueBufferingMaxKbytes = Workload.BufferMemory / 1024,
            QueueBufferingMaxMessages = 10_000_000,
            CompressionType = workload.Compression switch
            {
                "lz4" => CompressionType.Lz4,
                "gzip" => CompressionType.Gzip,
                "snappy" => CompressionType.Snappy,
                "zstd" => CompressionType.Zstd,
                _ => CompressionType.None,
            },
            EnableIdempotence = workload.Idempotence,
            MaxInFlight = 5,
            TransactionalId = workload.TransactionMs > 0 ? $"bench-cf-{Guid.NewGuid():N}" : null,
        };
        using var producer = new ProducerBuilder<byte[]?, byte[]>(config).Build();
        if (workload.TransactionMs > 0) producer.InitTransactions(CommitTimeout);
        var messages = Messages(workload);

        await WarmUp.Run(setRtt, Workload.WarmUpRecords(workload), count =>
            Send(producer, topic, messages, workload with { Records = count, RatePerSecond = 0 }, new Measurement(count)));

        var measurement = new Measurement(workload.Records, endpoint.BrokerProcessorTime);
        measurement.Start();
        return await Send(producer, topic, messages, workload, measurement);
    }

    private static readonly TimeSpan CommitTimeout = TimeSpan.FromMinutes(2);

    private static async Task<RunResult> Send(IProducer<byte[]?, byte[]> producer, string topic, Message<byte[]?, byte[]>[] messages, Workload workload, Measurement measurement)
    {
        Action<DeliveryReport<byte[]?, byte[]>> counter = report => measurement.Completed(report.Error.Code == ErrorCode.NoError);
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
            var message = messages[i % messages.Length];
            Action<DeliveryReport<byte[]?, byte[]>> handler = counter;
            if (LatencyRecorder.Sampled(i))
            {
                measurement.Latency.Sent(i);
                var index = i;
                handler = report =>
                {
                    measurement.Latency.Acknowledged(index);
                    measurement.Completed(report.Error.Code == ErrorCode.NoError);
                };
            }
            BlockingProduce.Produce(producer, topic, message, handler);
            if (transactions.CommitDue()) producer.CommitTransaction(CommitTimeout);
        }
        if (transactions.CommitLast()) producer.CommitTransaction(CommitTimeout);
        transactions.Report("Confluent.Kafka", workload.Records);
        return await measurement.Finish("Confluent.Kafka", workload.ValueSize, TimeSpan.FromMinutes(2));
    }

    private static Message<byte[]?, byte[]>[] Messages(Workload workload)
    {
        var value = Payload.Create(workload.ValueSize);
        if (workload.DistinctKeys == 0) return [new Message<byte[]?, byte[]> { Value = value }];
        return Enumerable.Range(0, workload.DistinctKeys).Select(k => new Message<byte[]?, byte[]> { Key = Payload.Key(k), Value = value }).ToArray();
    }
}
