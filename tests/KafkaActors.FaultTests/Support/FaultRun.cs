using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.FaultTests.Support;

/// <summary>Runs a keyed stream against a cluster while a fault is injected, then asks the oracle.</summary>
public static class FaultRun
{
    public static async Task<(DeliveryOracle.Report Report, KeyedStream Stream)> Run(
        FaultCluster cluster, ITestOutputHelper output, Func<Task> fault, int before = 300, int after = 300, params (string, string)[] settings)
    {
        await using var producer = new KafkaProducer<string, string>(cluster.Settings(settings));
        var stream = new KeyedStream(producer, cluster.Topic, keys: 20);
        stream.Send(before);
        await stream.WaitForAll(TimeSpan.FromSeconds(30)); // the producer is warm: metadata, producer id, connections
        await fault();
        stream.Send(after);
        await stream.WaitForAll(TimeSpan.FromSeconds(60));
        var report = DeliveryOracle.Check(cluster, stream);
        output.WriteLine(report.ToString());
        Assert.Equal(0, stream.DuplicateCallbacks);
        return (report, stream);
    }

    public static void AssertExactlyOnceInOrder(DeliveryOracle.Report report)
    {
        Assert.True(report.Failed == 0, report.ToString());
        AssertNothingLostOrDuplicated(report);
        Assert.True(report.Reordered == 0, report.ToString());
    }

    public static void AssertNothingLostOrDuplicated(DeliveryOracle.Report report)
    {
        Assert.True(report.Lost == 0, report.ToString());
        Assert.True(report.Duplicated == 0, report.ToString());
        Assert.True(report.WrongPartition == 0, report.ToString());
        Assert.True(report.Problems.Count == 0, report.ToString());
    }
}
