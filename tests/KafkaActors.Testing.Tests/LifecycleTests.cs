using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Testing.Tests;

public sealed class LifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public void Two_live_clusters_have_distinct_addresses()
    {
        using var a = EmbeddedKafka.Start(brokers: 3);
        using var b = EmbeddedKafka.Start(brokers: 3);

        Assert.NotEqual(a.BootstrapServers, b.BootstrapServers);
        Assert.Empty(a.BootstrapServers.Split(',').Intersect(b.BootstrapServers.Split(',')));
        Assert.Equal(3, a.BootstrapServers.Split(',').Length);
        Assert.Equal([1, 2, 3], a.BrokerIds);
        Assert.Equal(3, a.BrokerCount);
    }

    [Fact]
    public void Dispose_twice_is_harmless_and_later_calls_throw_ObjectDisposed()
    {
        var kafka = EmbeddedKafka.Start();
        kafka.Dispose();
        kafka.Dispose();

        Assert.True(kafka.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => kafka.CreateTopic("t", 1));
        Assert.Throws<ObjectDisposedException>(() => kafka.SetBrokerDown(1));
    }

    [Fact]
    public void Many_clusters_start_and_stop_concurrently()
    {
        Parallel.For(0, 12, new ParallelOptions { MaxDegreeOfParallelism = 6 }, i =>
        {
            using var kafka = EmbeddedKafka.Start(brokers: 1 + i % 3);
            kafka.CreateTopic("t", 2);
            kafka.SetBrokerRtt(EmbeddedKafka.AllBrokers, 1);
        });
    }

    [Fact]
    public void Abandoned_cluster_is_freed_by_its_finalizer()
    {
        Abandon();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        // Surviving to here (no crash in the finalizer thread) is the assertion; a new cluster still works.
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("t", 1);

        static void Abandon() => EmbeddedKafka.Start(brokers: 2).CreateTopic("t", 1);
    }

    [Fact]
    public void Native_library_loads_once_and_Confluent_shares_it()
    {
        var paths = new string[16];
        Parallel.For(0, paths.Length, i => paths[i] = LibRdKafka.EnsureLoaded());

        output.WriteLine($"librdkafka {Confluent.Kafka.Library.VersionString} from {paths[0]}");
        Assert.Single(paths.Distinct());
        Assert.Equal(paths[0], LibRdKafka.LoadedPath);
        Assert.True(Confluent.Kafka.Library.IsLoaded);
        Assert.StartsWith("2.16.", Confluent.Kafka.Library.VersionString);
        if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
        {
            Assert.Contains(Path.GetFileName(paths[0]), new[] { "librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so" });
            // Confluent must not have mapped a second copy: one librdkafka file in the whole process.
            using (var producer = TestClients.Producer("127.0.0.1:1")) { }
            var mapped = File.ReadLines("/proc/self/maps")
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(5).FirstOrDefault())
                .Where(f => f is not null && Path.GetFileName(f).Contains("librdkafka"))
                .Distinct()
                .ToList();
            Assert.Equal([paths[0]], mapped);
        }
    }
}
