using System.Text;
using KafkaActors.Protocol.Records;
using KafkaActors.Testing;
using KafkaActors.Testing.RawLog;
using Xunit;

namespace KafkaActors.Cli.Tests;

/// <summary>
/// kafka-actors produce with Kafka's ConsoleProducer flags and LineMessageReader properties: each flag's effect is
/// read back from the broker (records and headers with Confluent's consumer, stored batches with the raw log reader).
/// </summary>
public sealed class ConsoleProducerFlagsTests : IDisposable
{
    private static readonly TimeSpan Read = TimeSpan.FromSeconds(30);
    private readonly EmbeddedKafka _kafka;

    public ConsoleProducerFlagsTests()
    {
        LibRdKafka.EnsureLoaded();
        _kafka = EmbeddedKafka.Start(1);
    }

    public void Dispose() => _kafka.Dispose();

    private string Topic()
    {
        var topic = $"flags-{Guid.NewGuid():N}";
        _kafka.CreateTopic(topic, 1, 1);
        return topic;
    }

    private Task<CliProcess.Result> Produce(string? input, string topic, params string[] more) =>
        CliProcess.Run(input, TimeSpan.FromSeconds(60), ["produce", "--bootstrap-server", _kafka.BootstrapServers, "--topic", topic, .. more]);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    [Fact]
    public async Task Headers_keys_and_null_markers_are_read_like_LineMessageReader_and_sent_gzip_compressed_with_acks_1()
    {
        var topic = Topic();
        string[] lines =
        [
            "h1=v1;h2=v2|k1\tv1",
            "h1=NULL;h2=|NULL\tNULL",     // a null header value, an empty one, a null key and a null value (a tombstone)
            "NULL|k3\tv3",                // the whole header list is the null marker: no headers
            "a=1;;b=2;;|k4\tv4|with\tmore", // Java's split keeps the empty pair between separators, drops the trailing ones
        ];
        var result = await Produce(string.Join('\n', lines) + "\n", topic,
            "--property", "parse.headers=true", "--property", "parse.key=true", "--property", "headers.delimiter=|",
            "--property", "headers.separator=;+", "--property", "headers.key.separator==", "--property", "null.marker=NULL",
            "--property", "ignore.error=true", "--request-required-acks", "1", "--compression-codec", "--timeout", "10");

        Assert.True(result.ExitCode == 0, result.Error);
        var records = KafkaReader.ReadAll(_kafka.BootstrapServers, topic, Read);
        Assert.Equal(4, records.Count);
        Assert.Equal([("h1", "v1"), ("h2", "v2")], records[0].Headers.Select(h => (h.Key, Text(h.Value))));
        Assert.Equal(("k1", "v1"), (Text(records[0].Key), Text(records[0].Value)));
        Assert.Equal([("h1", null), ("h2", "")], records[1].Headers.Select(h => (h.Key, Text(h.Value))));
        Assert.Null(records[1].Key);
        Assert.Null(records[1].Value);
        Assert.Empty(records[2].Headers);
        Assert.Equal(("k3", "v3"), (Text(records[2].Key), Text(records[2].Value)));
        // The separator is a regular expression (";+"), so ";;" separates once; the value keeps later delimiters.
        Assert.Equal([("a", "1"), ("b", "2")], records[3].Headers.Select(h => (h.Key, Text(h.Value))));
        Assert.Equal(("k4", "v4|with\tmore"), (Text(records[3].Key), Text(records[3].Value)));

        var batches = RawLogReader.ReadBatches(_kafka.BootstrapServers, topic, Read)[0];
        Assert.All(batches, b => Assert.Equal(CompressionType.Gzip, b.Compression)); // --compression-codec without a value
        Assert.All(batches, b => Assert.Equal(-1L, b.ProducerId)); // acks=1 turns the default idempotence off
    }

    [Fact]
    public async Task Without_retries_a_retriable_error_fails_the_record_and_sync_sends_nothing_after_it()
    {
        var topic = Topic();
        _kafka.PushRequestErrors(ApiKeys.Produce, KafkaErrorCodes.NotLeaderOrFollower);
        var input = string.Concat(Enumerable.Range(1, 200).Select(i => $"line {i}\n"));
        var result = await Produce(input, topic, "--sync", "--message-send-max-retries", "0", "--timeout", "0");

        // retries=0: the first record fails at once; --sync: line 2 is read only after that outcome, so it is never sent.
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error when sending message to topic", result.Error);
        Assert.Contains("leader", result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Stopped reading at line 2 ", result.Error);
        Assert.Equal(0, KafkaReader.GetWatermarks(_kafka.BootstrapServers, topic).Values.Sum(w => w.High));
    }

    [Fact]
    public async Task Timeout_is_linger_and_batch_size_caps_the_stored_batches()
    {
        var topic = Topic();
        var big = new string('x', 200);
        _kafka.StartRequestTracking();
        var result = await CliProcess.RunScripted(async input =>
        {
            await input.WriteAsync("first\nsecond\n");
            // Once the producer asks for its id it is up and reading; then pause longer than Kafka's default linger
            // (1000 ms), which would send the first two on their own, and far shorter than --timeout.
            await WaitForRequest(ApiKeys.InitProducerId);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await input.WriteAsync(string.Concat(Enumerable.Range(0, 20).Select(i => $"{i} {big}\n")));
        }, TimeSpan.FromSeconds(60), "produce", "--bootstrap-server", _kafka.BootstrapServers, "--topic", topic,
            "--timeout", "60000", "--batch-size", "1024", "--producer-property", "batch.size=65536");

        Assert.True(result.ExitCode == 0, result.Error);
        var batches = RawLogReader.ReadBatches(_kafka.BootstrapServers, topic, Read)[0];
        Assert.Equal(22, batches.Sum(b => b.Records.Count));
        // Lingering for 60 s, the first two records waited for the next ones and went in the same batch.
        Assert.Equal("first", Text(batches[0].Records[0].Value));
        Assert.True(batches[0].Records.Count > 2, $"the first batch held {batches[0].Records.Count} records");
        // 1024 bytes (the flag overrides --producer-property) hold at most four 200-byte values; 65536 would hold all 22.
        Assert.All(batches, b => Assert.InRange(b.Records.Sum(r => r.Value?.Length ?? 0), 1, 1024));
        Assert.True(batches.Count >= 5, $"{batches.Count} batches");
    }

    private async Task WaitForRequest(short apiKey)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (_kafka.GetRequests().All(r => r.ApiKey != apiKey))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No request with API key {apiKey} within 30 s.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Max_block_ms_overrides_the_producer_property()
    {
        var result = await CliProcess.Run("v1\n", TimeSpan.FromSeconds(40),
            "produce", "--bootstrap-server", "127.0.0.1:1", "--topic", "t", "--producer-property", "max.block.ms=120000", "--max-block-ms", "1000");

        Assert.Equal(1, result.ExitCode); // within the 40 s above: metadata was waited for 1 s, not 120 s
        Assert.Contains("Error when sending message to topic t", result.Error);
    }

    [Fact]
    public async Task Bad_flags_and_reader_properties_exit_with_the_reason()
    {
        var topic = Topic();
        async Task Fails(string? input, string expected, params string[] args)
        {
            var result = await Produce(input, topic, args);
            Assert.True(result.ExitCode == 1, $"{string.Join(' ', args)}: exit {result.ExitCode}");
            Assert.Contains(expected, result.Error);
        }

        await Fails("", "headers.delimiter and headers.separator may not be equal", "--property", "headers.delimiter=,");
        await Fails("", "null.marker and key.separator may not be equal", "--property", "null.marker=\t");
        await Fails("", "Invalid value 'soon' for --request-timeout-ms", "--request-timeout-ms", "soon");
        // The flags reach the settings: a linger plus request timeout above an explicit delivery.timeout.ms is refused.
        await Fails("", "delivery.timeout.ms", "--producer-property", "delivery.timeout.ms=5000", "--request-timeout-ms", "10000");
        await Fails("kv\n", "No headers delimiter found on line number 1: 'kv'", "--property", "parse.headers=true", "--property", "parse.key=true");
        await Fails("NULL:x\tv\n", "Header keys should not be equal to the null marker 'NULL'",
            "--property", "parse.headers=true", "--property", "null.marker=NULL");
        await Fails("a:1,b\tv\n", "No header key separator found in pair 'b' on line number 1", "--property", "parse.headers=true");
        Assert.Equal(0, KafkaReader.GetWatermarks(_kafka.BootstrapServers, topic).Values.Sum(w => w.High));

        var help = await CliProcess.Run(null, TimeSpan.FromSeconds(30), "produce", "--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var flag in new[] { "--sync", "--compression-codec [<compression-codec>]", "--request-required-acks", "--timeout", "--batch-size",
                     "--message-send-max-retries", "--request-timeout-ms", "--max-block-ms", "parse.headers", "headers.delimiter",
                     "headers.separator", "headers.key.separator", "null.marker" })
            Assert.Contains(flag, help.Out);
    }
}
