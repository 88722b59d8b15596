using System.Text;
using KafkaActors.Testing;
using Xunit;

namespace KafkaActors.Cli.Tests;

/// <summary>kafka-actors produce, like kafka-console-producer: lines in, records out, read back with an independent consumer.</summary>
public sealed class ProduceCommandTests : IDisposable
{
    private readonly EmbeddedKafka _kafka;

    public ProduceCommandTests()
    {
        LibRdKafka.EnsureLoaded();
        _kafka = EmbeddedKafka.Start(3);
    }

    public void Dispose() => _kafka.Dispose();

    private string Topic(int partitions = 4)
    {
        var topic = $"cli-{Guid.NewGuid():N}";
        _kafka.CreateTopic(topic, partitions, 1);
        return topic;
    }

    [Fact]
    public async Task Keyed_lines_become_records_in_order_per_key()
    {
        var topic = Topic();
        var lines = Enumerable.Range(0, 500).Select(i => $"key-{i % 7}\tvalue {i} ümlaut").ToList();
        var result = await CliProcess.Run(string.Join('\n', lines) + "\n", TimeSpan.FromSeconds(60),
            "produce", "--bootstrap-server", _kafka.BootstrapServers, "--topic", topic, "--property", "parse.key=true");

        Assert.True(result.ExitCode == 0, result.Error);
        var records = KafkaReader.ReadAll(_kafka.BootstrapServers, topic, TimeSpan.FromSeconds(30));
        Assert.Equal(500, records.Count);
        foreach (var group in records.GroupBy(r => Encoding.UTF8.GetString(r.Key!)))
        {
            Assert.Single(group.Select(r => r.Partition).Distinct()); // one key, one partition
            var numbers = group.OrderBy(r => r.Offset).Select(r => int.Parse(Encoding.UTF8.GetString(r.Value!).Split(' ')[1])).ToList();
            Assert.Equal(numbers.Order(), numbers); // in the order of the input lines
        }
        Assert.Equal(lines.Order(), records.Select(r => $"{Encoding.UTF8.GetString(r.Key!)}\t{Encoding.UTF8.GetString(r.Value!)}").Order());
    }

    [Fact]
    public async Task Custom_separator_and_producer_properties_apply()
    {
        var topic = Topic(1);
        var result = await CliProcess.Run("a::1\nb::2\n", TimeSpan.FromSeconds(60),
            "produce", "--bootstrap-server", _kafka.BootstrapServers, "--topic", topic,
            "--property", "parse.key=true", "--property", "key.separator=::",
            "--producer-property", "compression.type=gzip", "--producer-property", "acks=1");

        Assert.True(result.ExitCode == 0, result.Error);
        var records = KafkaReader.ReadAll(_kafka.BootstrapServers, topic, TimeSpan.FromSeconds(30));
        Assert.Equal(["a=1", "b=2"], records.Select(r => $"{Encoding.UTF8.GetString(r.Key!)}={Encoding.UTF8.GetString(r.Value!)}"));
    }

    [Fact]
    public async Task Unreachable_broker_exits_non_zero_with_the_failures()
    {
        var result = await CliProcess.Run("v1\nv2\n", TimeSpan.FromSeconds(60),
            "produce", "--bootstrap-server", "127.0.0.1:1", "--topic", "t", "--producer-property", "max.block.ms=1000");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error when sending message to topic t", result.Error);
    }

    [Fact]
    public async Task Missing_key_separator_stops_with_a_clear_message()
    {
        var topic = Topic(1);
        var result = await CliProcess.Run("k\tv\nno-separator\n", TimeSpan.FromSeconds(60),
            "produce", "--bootstrap-server", _kafka.BootstrapServers, "--topic", topic, "--property", "parse.key=true");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No key separator found on line number 2", result.Error);
    }

    [Fact]
    public async Task Invalid_settings_and_arguments_exit_with_usage_or_the_key()
    {
        var bad = await CliProcess.Run("", TimeSpan.FromSeconds(30), "produce", "--bootstrap-server", _kafka.BootstrapServers, "--topic", "t", "--producer-property", "acks=7");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("acks", bad.Error);

        var missing = await CliProcess.Run("", TimeSpan.FromSeconds(30), "produce", "--topic", "t");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("--bootstrap-server", missing.Error);
    }
}
