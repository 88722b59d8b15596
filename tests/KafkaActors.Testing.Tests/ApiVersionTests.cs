using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Testing.Tests;

/// <summary>Reads the versions the mock advertises from librdkafka's "feature" debug log.</summary>
public sealed partial class ApiVersionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Mock_advertises_the_documented_max_versions()
    {
        using var kafka = EmbeddedKafka.Start();
        var versions = await AdvertisedVersions(kafka);
        foreach (var key in new short[] { ApiKeys.ApiVersions, ApiKeys.Metadata, ApiKeys.Produce, ApiKeys.InitProducerId, ApiKeys.Fetch, ApiKeys.ListOffsets })
            output.WriteLine($"ApiKey {key}: {versions[key].Min}..{versions[key].Max}");

        // librdkafka.redist 2.16.0. A change here means the mock changed: revisit EMBEDDED-BROKER.md.
        Assert.Equal((0, 2), versions[ApiKeys.ApiVersions]);
        Assert.Equal((0, 13), versions[ApiKeys.Metadata]);
        Assert.Equal((0, 10), versions[ApiKeys.Produce]);
        Assert.Equal((0, 4), versions[ApiKeys.InitProducerId]);
        Assert.Equal((0, 16), versions[ApiKeys.Fetch]);
        Assert.Equal((0, 7), versions[ApiKeys.ListOffsets]);
    }

    [Fact]
    public async Task SetApiVersion_changes_and_disables_what_is_advertised()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.SetApiVersion(ApiKeys.Produce, 0, 7);
        kafka.SetApiVersion(ApiKeys.InitProducerId, -1, -1);

        var versions = await AdvertisedVersions(kafka);

        Assert.Equal((0, 7), versions[ApiKeys.Produce]);
        Assert.False(versions.ContainsKey(ApiKeys.InitProducerId));
    }

    private static async Task<IReadOnlyDictionary<short, (int Min, int Max)>> AdvertisedVersions(EmbeddedKafka kafka)
    {
        var topic = TestClients.Topic("versions");
        kafka.CreateTopic(topic, 1);
        var lines = new ConcurrentQueue<string>();
        using (var producer = TestClients.Producer(kafka.BootstrapServers, c => c.Debug = "feature", m => lines.Enqueue(m.Message)))
            await producer.ProduceAsync(topic, TestClients.Message("k", "v"));

        var result = new Dictionary<short, (int, int)>();
        foreach (var line in lines)
        {
            if (VersionLine().Match(line) is { Success: true } m)
                result[short.Parse(m.Groups[1].Value)] = (int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value));
        }
        Assert.NotEmpty(result);
        return result;
    }

    [GeneratedRegex(@"ApiKey \S+ \((\d+)\) Versions (-?\d+)\.\.(-?\d+)")]
    private static partial Regex VersionLine();
}
