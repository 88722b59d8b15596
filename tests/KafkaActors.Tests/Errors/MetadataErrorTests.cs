using System.Diagnostics;
using KafkaActors.Errors;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Errors;

/// <summary>Metadata-side failures come back as a faulted task (Java: ApiException to the callback), never thrown.</summary>
public sealed class MetadataErrorTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    private static ProducerRecord<string?, string?> Good(string topic, string value) => new(topic, "k", value);

    [Fact]
    public async Task Unknown_topic_without_auto_create_fails_with_KafkaTimeoutException_naming_it_after_max_block_ms()
    {
        var good = fixture.CreateTopic("unknown-good", 1);
        var missing = Topics.Unique("missing");
        await using var producer = Producers.Strings(fixture.Bootstrap, ("allow.auto.create.topics", "false"), ("max.block.ms", "1000"));

        var first = producer.SendAsync(Good(good, "before"));
        await first.WaitAsync(TimeSpan.FromSeconds(10));

        var clock = Stopwatch.StartNew();
        var bad = Sync.MustNotThrow(() => producer.SendAsync(new ProducerRecord<string?, string?>(missing, "k", "lost")));
        var error = await Assert.ThrowsAsync<KafkaTimeoutException>(() => bad.WaitAsync(TimeSpan.FromSeconds(10)));
        clock.Stop();

        output.WriteLine(error.Message);
        Assert.Contains(missing, error.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(3));

        var last = await producer.SendAsync(Good(good, "after")).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(last.HasOffset);

        Assert.Equal(["before", "after"], fixture.ReadAll(good).Select(r => Text(r.Value)));
        // The broker was never asked to create it.
        Assert.ThrowsAny<Exception>(() => Testing.KafkaReader.GetPartitionCount(fixture.Bootstrap, missing, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task Cancelling_a_send_waiting_for_metadata_faults_it_with_InterruptException()
    {
        var missing = Topics.Unique("missing-cancel");
        await using var producer = Producers.Strings(fixture.Bootstrap, ("allow.auto.create.topics", "false"), ("max.block.ms", "10000"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        var send = producer.SendAsync(new ProducerRecord<string?, string?>(missing, "k", "v"), cancel.Token);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(200), "SendAsync waited instead of returning");
        await Assert.ThrowsAsync<InterruptException>(() => send);
        // Generous: the token's timer fires on the thread pool, which the rest of the suite keeps busy.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"cancellation took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("bad topic!")]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("topic/with/slash")]
    public async Task Invalid_topic_name_faults_the_task_with_InvalidTopicException_fast(string invalid)
    {
        var good = fixture.CreateTopic("invalid-good", 1);
        await using var producer = Producers.Strings(fixture.Bootstrap, ("max.block.ms", "5000"));
        await producer.SendAsync(Good(good, "before")).WaitAsync(TimeSpan.FromSeconds(10));

        var clock = Stopwatch.StartNew();
        var bad = Sync.MustNotThrow(() => producer.SendAsync(new ProducerRecord<string?, string?>(invalid, "k", "lost")));
        await Assert.ThrowsAsync<InvalidTopicException>(() => bad.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(500), $"took {clock.Elapsed}: waited for metadata?");

        // The callback form reports it too.
        Exception? reported = null;
        producer.Send(new ProducerRecord<string?, string?>(invalid, "k", "lost"), (_, e) => reported = e);
        Assert.IsType<InvalidTopicException>(reported);

        await producer.SendAsync(Good(good, "after")).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["before", "after"], fixture.ReadAll(good).Select(r => Text(r.Value)));
    }

    [Fact]
    public async Task A_topic_the_broker_refuses_fails_fast_with_its_error_instead_of_waiting_max_block_ms()
    {
        var good = fixture.CreateTopic("refused-good", 1);
        var refused = fixture.CreateTopic("refused", 1);
        fixture.Kafka.SetTopicError(refused, 29); // TOPIC_AUTHORIZATION_FAILED: not retriable
        await using var producer = Producers.Strings(fixture.Bootstrap, ("max.block.ms", "10000"));
        await producer.SendAsync(Good(good, "before")).WaitAsync(TimeSpan.FromSeconds(15));

        var clock = Stopwatch.StartNew();
        var bad = Sync.MustNotThrow(() => producer.SendAsync(new ProducerRecord<string?, string?>(refused, "k", "lost")));
        var error = await Assert.ThrowsAnyAsync<ApiException>(() => bad.WaitAsync(TimeSpan.FromSeconds(15)));
        clock.Stop();
        output.WriteLine(error.ToString());
        Assert.Equal(29, (int)error.ErrorCode);
        Assert.Contains(refused, error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}: waited for max.block.ms?");

        await producer.SendAsync(Good(good, "after")).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["before", "after"], fixture.ReadAll(good).Select(r => Text(r.Value)));
        fixture.Kafka.SetTopicError(refused, 0);
        Assert.Equal(0, fixture.CountRecords(refused));
    }

    [Fact]
    public async Task Blocking_metadata_waits_fail_fast_for_a_refused_topic_time_out_naming_a_missing_one_and_answer_a_new_one()
    {
        var refused = fixture.CreateTopic("wait-refused", 1);
        fixture.Kafka.SetTopicError(refused, 29); // TOPIC_AUTHORIZATION_FAILED: not retriable
        var missing = Topics.Unique("wait-missing");
        var created = fixture.CreateTopic("wait-new", 3);
        // 3 s, not less: on a loaded 2-core CI machine a new producer's first metadata round trip has taken over 1.5 s.
        await using var producer = Producers.Strings(fixture.Bootstrap, ("allow.auto.create.topics", "false"), ("max.block.ms", "3000"));
        try
        {
            // A wait answered with the route: the partitions and their leaders, and a blocking Send appends at once.
            var partitions = producer.PartitionsFor(created);
            Assert.Equal([0, 1, 2], partitions.Select(p => p.Partition));
            Assert.All(partitions, p => Assert.True(p.Leader >= 0));
            var sent = new TaskCompletionSource<Exception?>();
            producer.Send(new ProducerRecord<string?, string?>(created, "k", "v"), (_, e) => sent.TrySetResult(e));
            Assert.Null(await sent.Task.WaitAsync(TimeSpan.FromSeconds(10)));

            var clock = Stopwatch.StartNew();
            var error = Assert.ThrowsAny<ApiException>(() => producer.PartitionsFor(refused));
            Assert.Equal(29, (int)error.ErrorCode);
            Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(2800), $"took {clock.Elapsed}: waited for max.block.ms?");

            clock.Restart();
            var timeout = Assert.Throws<KafkaTimeoutException>(() => producer.PartitionsFor(missing));
            output.WriteLine(timeout.Message);
            Assert.Contains($"Topic {missing} not present in metadata after 3000 ms.", timeout.Message);
            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(2900), TimeSpan.FromSeconds(6));
        }
        finally
        {
            fixture.Kafka.SetTopicError(refused, 0);
        }
    }

    [Fact]
    public async Task Unreachable_bootstrap_faults_with_KafkaTimeoutException_mentioning_the_address()
    {
        await using var producer = Producers.Strings("127.0.0.1:1", ("max.block.ms", "1500"));
        var clock = Stopwatch.StartNew();
        var task = Sync.MustNotThrow(() => producer.SendAsync(new ProducerRecord<string?, string?>("nowhere", "k", "v")));
        var error = await Assert.ThrowsAsync<KafkaTimeoutException>(() => task.WaitAsync(TimeSpan.FromSeconds(10)));
        clock.Stop();

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(1400), TimeSpan.FromSeconds(4));
        output.WriteLine(error.ToString());
        Assert.Contains("nowhere", error.Message);
        Assert.True(error.Message.Contains("127.0.0.1:1") || error.Message.Contains("connect", StringComparison.OrdinalIgnoreCase),
            $"message says nothing about the bootstrap or the connection: {error.Message}");
    }
}
