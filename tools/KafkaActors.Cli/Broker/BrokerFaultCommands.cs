using System.Globalization;
using KafkaActors.Testing;
using KafkaActors.Testing.Secure;

namespace KafkaActors.Cli.Broker;

/// <summary>
/// The fault commands <c>kafka-actors broker</c> reads on stdin, one per line, each answered with one line that starts
/// with <c>ok</c> or <c>error</c>; also <c>topic</c>, which creates a topic (benchmarks make a fresh one per run).
/// Owned by the broker command's stdin reader, which calls it from one thread; the cluster calls it makes are
/// thread-safe. Without a front (<c>--no-front</c>) <paramref name="front"/> is null and its commands answer error.
/// </summary>
internal sealed class BrokerFaultCommands(EmbeddedKafka cluster, SecureEmbeddedKafka? front)
{
    /// <summary>The commands, for the help text.</summary>
    public const string Help =
        "down ID | up ID | rtt ID|all MS | leader TOPIC PARTITION ID | err APIKEY CODE COUNT | throttle ID MS | enforce on|off | topic NAME PARTITIONS [RF]";

    private const string AllBrokers = "all";

    /// <summary>Runs one line; returns the answer line, or null for a blank line or a <c>#</c> comment (no answer).</summary>
    public string? Execute(string line)
    {
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || words[0].StartsWith('#')) return null;
        try
        {
            return words[0].ToLowerInvariant() switch
            {
                "down" => Broker(words, 2, id => cluster.SetBrokerDown(id), () => "down"),
                "up" => Broker(words, 2, id => cluster.SetBrokerUp(id), () => "up"),
                "rtt" => words.Length == 3 && words[1].Equals(AllBrokers, StringComparison.OrdinalIgnoreCase)
                    ? AllRtt(NonNegative(words[2], "MS"))
                    : Broker(words, 3, id => cluster.SetBrokerRtt(id, NonNegative(words[2], "MS")), () => $"rtt {words[2]} ms"),
                "throttle" => front is null ? NeedsFront(words) : Broker(words, 3, id => front.SetThrottleTime(id, NonNegative(words[2], "MS")), () => $"throttle {words[2]} ms"),
                "leader" => Leader(words),
                "err" => Errors(words),
                "enforce" => front is null ? NeedsFront(words) : Enforce(front, words),
                "topic" => CreateTopic(words),
                _ => $"error unknown command '{words[0]}': expected {Help}",
            };
        }
        catch (FormatException e)
        {
            return "error " + e.Message;
        }
        catch (Exception e) when (e is EmbeddedKafkaException or ArgumentException or ObjectDisposedException)
        {
            return "error " + e.Message.ReplaceLineEndings(" ");
        }
    }

    private string Broker(string[] words, int count, Action<int> apply, Func<string> what)
    {
        Arity(words, count);
        var id = Int(words[1], "ID");
        if (!cluster.BrokerIds.Contains(id)) return $"error no broker {id}: the brokers are {string.Join(", ", cluster.BrokerIds)}";
        apply(id);
        return $"ok broker {id} {what()}";
    }

    private string AllRtt(int ms)
    {
        cluster.SetBrokerRtt(EmbeddedKafka.AllBrokers, ms);
        return $"ok brokers {string.Join(",", cluster.BrokerIds)} rtt {ms} ms";
    }

    /// <summary>topic NAME PARTITIONS [RF]: replication factor min(3, brokers) unless given, as --topic; answered once the topic exists.</summary>
    private string CreateTopic(string[] words)
    {
        if (words.Length != 4) Arity(words, 3);
        var partitions = NonNegative(words[2], "PARTITIONS");
        if (partitions < 1) throw new FormatException("PARTITIONS must be at least 1");
        var replicationFactor = words.Length == 4 ? NonNegative(words[3], "RF") : Math.Min(3, cluster.BrokerCount);
        if (replicationFactor < 1 || replicationFactor > cluster.BrokerCount)
            throw new FormatException($"RF must be between 1 and the {cluster.BrokerCount} broker(s), got {replicationFactor}");
        cluster.CreateTopic(words[1], partitions, replicationFactor);
        return $"ok topic {words[1]} with {partitions} partition(s), replication factor {replicationFactor}";
    }

    private static string NeedsFront(string[] words) => $"error {words[0]} needs the front: this broker runs with --no-front";

    private string Leader(string[] words)
    {
        Arity(words, 4);
        var partition = NonNegative(words[2], "PARTITION");
        var id = Int(words[3], "ID");
        // No -1 (leaderless): the mock dereferences NULL answering Produce v10 for such a partition, killing the process.
        if (!cluster.BrokerIds.Contains(id)) return $"error no broker {id}: the brokers are {string.Join(", ", cluster.BrokerIds)}";
        cluster.SetPartitionLeader(words[1], partition, id);
        return $"ok {words[1]}-{partition} leader {id}";
    }

    private string Errors(string[] words)
    {
        Arity(words, 4);
        var apiKey = Short(words[1], "APIKEY");
        var code = Short(words[2], "CODE");
        var count = NonNegative(words[3], "COUNT");
        if (count == 0) return "ok nothing pushed";
        cluster.PushRequestErrors(apiKey, Enumerable.Repeat(code, count).ToArray());
        return $"ok the next {count} request(s) of api key {apiKey} get error {code}";
    }

    private static string Enforce(SecureEmbeddedKafka front, string[] words)
    {
        Arity(words, 2);
        var on = words[1].ToLowerInvariant() switch
        {
            "on" => true,
            "off" => false,
            _ => throw new FormatException($"enforce takes on or off, not '{words[1]}'"),
        };
        front.Idempotence.Enabled = on;
        return $"ok idempotence {(on ? "enforced" : "not enforced")}";
    }

    private static void Arity(string[] words, int count)
    {
        if (words.Length != count)
            throw new FormatException($"{words[0]} takes {count - 1} argument(s), got {words.Length - 1}: expected {Help}");
    }

    private static int Int(string value, string name) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"{name} '{value}' is not an integer");

    private static short Short(string value, string name) =>
        short.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"{name} '{value}' is not a 16-bit integer");

    private static int NonNegative(string value, string name)
    {
        var n = Int(value, name);
        return n >= 0 ? n : throw new FormatException($"{name} must not be negative, got {n}");
    }
}
