using System.Text;
using KafkaActors.Errors;
using KafkaActors.FaultTests.Support;
using KafkaActors.Testing;
using KafkaActors.Testing.Secure;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.FaultTests;

/// <summary>
/// Per-record errors (KIP-467): a broker refuses a batch naming some of its records (RecordErrors). The named records fail
/// with InvalidRecordException carrying the broker's message, the others of the batch with a KafkaException, as Java's
/// Sender does; nothing of the batch is written, and later records land. The mock never sends RecordErrors, so the front's
/// <see cref="RecordErrorStage"/> answers for it; the log is read back with Confluent's consumer.
/// </summary>
public sealed class RecordErrorFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_record_a_broker_names_fails_with_its_message_and_the_rest_of_its_batch_fails_with_it_idempotent_on_an_enforcing_broker()
    {
        var outcomes = await Run(idempotent: true, [(3, "Compacted topic cannot accept message without key in topic partition t-0.")], "One or more records have been rejected");
        var named = Assert.IsType<InvalidRecordException>(outcomes[3]);
        Assert.Contains("Compacted topic cannot accept message without key", named.Message);
        AssertOthers(outcomes, 3);
    }

    [Fact]
    public async Task Several_named_records_each_get_an_InvalidRecordException_with_their_message_or_the_partitions()
    {
        var outcomes = await Run(idempotent: false, [(1, "Timestamp 1 of message with offset 1 is out of range."), (4, null)], "One or more records have been rejected");
        Assert.Contains("Timestamp 1 of message with offset 1 is out of range.", Assert.IsType<InvalidRecordException>(outcomes[1]).Message);
        Assert.Contains("One or more records have been rejected", Assert.IsType<InvalidRecordException>(outcomes[4]).Message);
        AssertOthers(outcomes, 1, 4);
    }

    private static void AssertOthers(IReadOnlyList<Exception?> outcomes, params int[] named)
    {
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (named.Contains(i)) continue;
            var other = Assert.IsType<KafkaException>(outcomes[i]); // exactly KafkaException, as Java's
            Assert.Contains("part of a batch which had one or more invalid records", other.Message);
        }
    }

    /// <summary>Sends 10 records in one batch (refused), then 10 more (written); returns the first ten's errors.</summary>
    private async Task<IReadOnlyList<Exception?>> Run(bool idempotent, (int, string?)[] recordErrors, string errorMessage)
    {
        using var cluster = new FaultCluster(partitions: 1);
        var warm = cluster.Topic + "-warm";
        cluster.Kafka.CreateTopic(warm, 1, 3);
        var stage = new RecordErrorStage(cluster.Topic, recordErrors, errorMessage);
        var options = new SecureKafkaOptions { SecurityProtocol = ListenerSecurityProtocol.Plaintext };
        options.FrameHandlers.Add(_ => stage);
        await using var front = SecureEmbeddedKafka.Start(cluster.Kafka, options);
        await using var producer = new KafkaProducer<string, string>(cluster.Settings(
            ("bootstrap.servers", front.BootstrapServers), ("linger.ms", "200"), ("enable.idempotence", idempotent ? "true" : "false")));
        await producer.SendAsync(new ProducerRecord<string, string>(warm, "k", "v")); // metadata, producer id, connections

        var refused = Enumerable.Range(0, 10).Select(i => producer.SendAsync(new ProducerRecord<string, string>(cluster.Topic, $"k{i}", $"refused-{i}"))).ToList();
        var errors = new List<Exception?>();
        foreach (var task in refused)
        {
            try { await task.WaitAsync(TimeSpan.FromSeconds(30)); errors.Add(null); }
            catch (Exception e) { errors.Add(e); output.WriteLine($"{e.GetType().Name}: {e.Message}"); }
        }
        Assert.Equal(1, stage.Refused); // one batch held all ten
        var later = Enumerable.Range(0, 10).Select(i => producer.SendAsync(new ProducerRecord<string, string>(cluster.Topic, $"k{i}", $"later-{i}"))).ToList();
        await Task.WhenAll(later).WaitAsync(TimeSpan.FromSeconds(30));

        var log = KafkaReader.ReadAll(cluster.Bootstrap, cluster.Topic, TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"later-{i}"), log.Select(r => Encoding.UTF8.GetString(r.Value!)));
        Assert.Equal(10, producer.MetricValues()["record-error-total"]);
        output.WriteLine(front.Idempotence.ToString());
        return errors;
    }
}
