using KafkaActors.Cli.Logging;
using KafkaActors.Errors;
using KafkaActors.Settings;

namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// One perf-test run: the send loop of Kafka's ProducerPerformance, then flush and close, the final line,
/// optional metrics, and the send errors (any error makes the exit code 1; an authentication failure stops
/// sending and is reported as one line). With <paramref name="transactionDurationMs"/> the records are sent in
/// transactions as Kafka's tool does: begun before a record when none is open, committed after a send once the
/// transaction is that old, and at the end; a commit that fails ends the run with one line. With
/// <paramref name="warmupRecords"/> (Kafka 4.x) the records after the first that many are also counted apart, and their
/// total is printed as a second, "steady state" line. Window lines come every <paramref name="reportingIntervalMs"/>.
/// </summary>
internal sealed class PerfRun(ProducerSettings settings, string topic, long numRecords, double throughput, Payloads payloads, bool printMetrics,
    long? transactionDurationMs = null, long warmupRecords = 0, long reportingIntervalMs = PerfStats.DefaultReportingIntervalMs)
{
    private const int ErrorsShown = 5;

    public int Execute()
    {
        var errors = new SendErrors(ErrorsShown);
        using var system = new ToolActorSystem();
        var producer = new KafkaProducer<byte[]?, byte[]>(settings, system: system.System);
        PerfStats stats;
        PerfStats? steadyState = null;
        Exception? stoppedBy = null;
        KafkaException? commitFailed = null;
        long sent = 0;
        try
        {
            // Fails fast (after max.block.ms) when the topic does not exist, instead of once per record; and at once
            // when authentication fails (the exception reaches Program, which prints it as one line).
            producer.PartitionsFor(topic);
            var transactional = transactionDurationMs is not null;
            if (transactional) producer.InitTransactions();
            if (warmupRecords > 0)
                Console.Out.WriteLine($"Warmup first {warmupRecords} records. Steady state results will print after the complete test summary.");
            var startMs = Clock.NowMs;
            stats = new PerfStats(numRecords, Console.Out, startMs, reportingIntervalMs);
            var callback = new PerfCallback(stats, errors);
            var throttler = new ThroughputThrottler(throughput, startMs);
            // The send time of a record is its CreateTime (see PerfCallback): the loop reads the clock itself only for
            // the throttler (a negative target never throttles) and for transactions.
            var timed = throughput >= 0 || transactional;
            var single = payloads.Single; // the usual one record: no call per send to pick it
            long transactionSize = 0;
            long transactionStartMs = 0;
            for (long i = 0; i < numRecords; i++, sent++)
            {
                var record = single ?? payloads.Next();
                if (transactional && transactionSize == 0)
                {
                    producer.BeginTransaction();
                    transactionStartMs = Clock.NowMs;
                }
                var sendStartMs = timed ? Clock.NowMs : 0;
                if (warmupRecords > 0 && i == warmupRecords)
                {
                    steadyState = new PerfStats(numRecords - warmupRecords, Console.Out, timed ? sendStartMs : Clock.NowMs, reportingIntervalMs, steadyState: true);
                    callback = new PerfCallback(stats, errors, steadyState);
                    stats.SuppressWindows();
                }
                try
                {
                    producer.Send(record, callback);
                }
                catch (KafkaException e)
                {
                    // The producer refused the record itself (closed after a fatal error, interrupted wait): stop sending.
                    errors.Add(e);
                    stoppedBy = e;
                    break;
                }
                if (errors.EndedBy is not null) break;
                transactionSize++;
                if (transactional && transactionDurationMs <= sendStartMs - transactionStartMs)
                {
                    transactionSize = 0;
                    if (!TryCommit(producer, out commitFailed))
                    {
                        sent++;
                        break;
                    }
                }
                if (timed && throttler.ShouldThrottle(i, sendStartMs)) throttler.Throttle();
            }
            if (transactional && transactionSize != 0 && commitFailed is null && stoppedBy is null && errors.EndedBy is null)
                TryCommit(producer, out commitFailed);
            producer.Flush();
        }
        finally
        {
            producer.Close(TimeSpan.FromMilliseconds(settings.DeliveryTimeoutMs));
        }

        var endMs = Clock.NowMs;
        Console.Out.WriteLine(stats.TotalLine(endMs));
        if (steadyState is not null) Console.Out.WriteLine(steadyState.TotalLine(endMs));
        if (printMetrics) MetricsPrinter.Print(Console.Out, producer.MetricValues(), producer.ClientId);
        Console.Out.Flush();

        if (errors.Count == 0 && commitFailed is null) return 0;
        if (errors.EndedBy is { } fatal)
        {
            // One line: the other records failed with it, or never were sent.
            Console.Error.WriteLine(ErrorLine.For(fatal));
            return 1;
        }
        foreach (var entry in errors.First)
        {
            var e = entry.Exception;
            Console.Error.WriteLine($"Error when sending to topic {topic}: {e.GetType().Name}: {e.Message}" +
                                    (entry.Records > 1 ? $" ({entry.Records} records)" : ""));
        }
        if (errors.NotShown > 0) Console.Error.WriteLine($"... and {errors.NotShown} more errors.");
        if (commitFailed is not null)
        {
            // A failed commit names the record error that caused it (the inner exception): one line, then the run ends.
            var cause = commitFailed is TransactionStateException { InnerException: { } inner } ? inner : commitFailed;
            Console.Error.WriteLine($"Error: a transaction was not committed, stopped after {sent} of {numRecords} records: {cause.GetType().Name}: {cause.Message}");
        }
        else
        {
            Console.Error.WriteLine(stoppedBy is null
                ? $"{errors.Count} of {numRecords} records failed."
                : $"Stopped after {sent} of {numRecords} records: the producer refused to send ({stoppedBy.Message}).");
        }
        return 1;
    }

    private static bool TryCommit(KafkaProducer<byte[]?, byte[]> producer, out KafkaException? failure)
    {
        try
        {
            producer.CommitTransaction();
            failure = null;
            return true;
        }
        catch (KafkaException e)
        {
            failure = e;
            return false;
        }
    }
}
