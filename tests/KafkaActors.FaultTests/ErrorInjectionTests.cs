using KafkaActors.FaultTests.Support;
using KafkaActors.Protocol.Errors;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.FaultTests;

/// <summary>
/// Produce errors pushed into the broker: retriable ones are retried in order, others fail only their batch. A few run on
/// the enforcing front too (<see cref="FaultBroker"/>): there a failed batch's successors must also pass Kafka's sequence checks.
/// </summary>
public sealed class ErrorInjectionTests(ITestOutputHelper output)
{
    private const short Produce = 0;

    [Theory]
    [InlineData((short)ErrorCode.NotLeaderOrFollower, FaultBroker.Mock)]
    [InlineData((short)ErrorCode.LeaderNotAvailable, FaultBroker.Mock)]
    [InlineData((short)ErrorCode.RequestTimedOut, FaultBroker.Mock)]
    [InlineData((short)ErrorCode.NotEnoughReplicas, FaultBroker.Mock)]
    [InlineData((short)ErrorCode.NetworkException, FaultBroker.Mock)]
    [InlineData((short)-195, FaultBroker.Mock)] // librdkafka's __TRANSPORT: the mock drops the connection
    [InlineData((short)ErrorCode.NotLeaderOrFollower, FaultBroker.Enforcing)]
    [InlineData((short)ErrorCode.NotEnoughReplicas, FaultBroker.Enforcing)]
    [InlineData((short)-195, FaultBroker.Enforcing)]
    public async Task Retriable_errors_several_in_a_row_are_retried_in_order(short code, FaultBroker broker)
    {
        using var cluster = new FaultCluster(broker: broker);
        var (report, _) = await FaultRun.Run(cluster, output, async () =>
        {
            cluster.Kafka.PushRequestErrors(Produce, code, code, code);
            await Task.CompletedTask;
        }, settings: ("max.in.flight.requests.per.connection", "1"));
        FaultRun.AssertExactlyOnceInOrder(report);
    }

    [Theory]
    [InlineData((short)ErrorCode.TopicAuthorizationFailed, FaultBroker.Mock)]
    [InlineData((short)ErrorCode.InvalidRecord, FaultBroker.Mock)]
    [InlineData((short)ErrorCode.InvalidRecord, FaultBroker.Enforcing)] // the failed batch's gap: later batches need the epoch bump
    // MESSAGE_TOO_LARGE splits the batch instead (TooLargeBatchFaultTests).
    public async Task Non_retriable_error_fails_its_batches_and_the_rest_are_delivered(short code, FaultBroker broker)
    {
        using var cluster = new FaultCluster(broker: broker);
        var (report, stream) = await FaultRun.Run(cluster, output, async () =>
        {
            cluster.Kafka.PushRequestErrors(Produce, code);
            await Task.CompletedTask;
        }, settings: ("max.in.flight.requests.per.connection", "1"));

        FaultRun.AssertNothingLostOrDuplicated(report);
        var failures = stream.Outcomes.Values.Where(o => o.Error is not null).ToList();
        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.Equal((ErrorCode)code, Assert.IsAssignableFrom<Errors.ApiException>(f.Error).ErrorCode));
        Assert.Equal(0, report.InLog - report.Acknowledged); // a failed (not persisted) record never shows up
        // Only the records of the refused request fail: the injected error hits every partition in it.
        Assert.Equal(report.Sent, report.Acknowledged + report.Failed);
        Assert.True(report.Failed < report.Sent / 2, report.ToString());
    }
}
