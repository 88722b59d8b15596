using System.Globalization;
using KafkaActors.Testing;
using KafkaActors.Testing.Secure;

namespace KafkaActors.Cli.Broker;

/// <summary>
/// The fault commands <c>kafka-actors broker</c> reads on stdin, one per line, each answered with one line that starts
/// with <c>ok</c> or <c>error</c>. Owned by the broker command's stdin reader, which calls it from one thread; the
/// cluster calls it makes are thread-safe.
/// </summary>
internal sealed class BrokerFaultCommands(SecureEmbeddedKafka kafka)
{
    /// <summary>The commands, for the help text.</summary>
    public const string Help =
        "down ID | up ID | rtt ID MS | leader TOPIC PARTITION ID | err APIKEY CODE COUNT | throttle ID MS | enforce on|off";

    /// <summary>Runs one line; returns the answer line, or null for a blank line or a <c>#</c> comment (no answer).</summary>
    public string? Execute(string line)
    {
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || words[0].StartsWith('#')) return null;
        try
        {
            return words[0].ToLowerInvariant() switch
            {
                "down" => Broker(words, 2, id => kafka.Cluster.SetBrokerDown(id), () => "down"),
                "up" => Broker(words, 2, id => kafka.Cluster.SetBrokerUp(id), () => "up"),
                "rtt" => Broker(words, 3, id => kafka.Cluster.SetBrokerRtt(id, NonNegative(words[2], "MS")), () => $"rtt {words[2]} ms"),
                "throttle" => Broker(words, 3, id => kafka.SetThrottleTime(id, NonNegative(words[2], "MS")), () => $"throttle {words[2]} ms"),
                "leader" => Leader(words),
                "err" => Errors(words),
                "enforce" => Enforce(words),
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
        if (!kafka.Cluster.BrokerIds.Contains(id)) return $"error no broker {id}: the brokers are {string.Join(", ", kafka.Cluster.BrokerIds)}";
        apply(id);
        return $"ok broker {id} {what()}";
    }

    private string Leader(string[] words)
    {
        Arity(words, 4);
        var partition = NonNegative(words[2], "PARTITION");
        var id = Int(words[3], "ID");
        // No -1 (leaderless): the mock dereferences NULL answering Produce v10 for such a partition, killing the process.
        if (!kafka.Cluster.BrokerIds.Contains(id)) return $"error no broker {id}: the brokers are {string.Join(", ", kafka.Cluster.BrokerIds)}";
        kafka.Cluster.SetPartitionLeader(words[1], partition, id);
        return $"ok {words[1]}-{partition} leader {id}";
    }

    private string Errors(string[] words)
    {
        Arity(words, 4);
        var apiKey = Short(words[1], "APIKEY");
        var code = Short(words[2], "CODE");
        var count = NonNegative(words[3], "COUNT");
        if (count == 0) return "ok nothing pushed";
        kafka.Cluster.PushRequestErrors(apiKey, Enumerable.Repeat(code, count).ToArray());
        return $"ok the next {count} request(s) of api key {apiKey} get error {code}";
    }

    private string Enforce(string[] words)
    {
        Arity(words, 2);
        var on = words[1].ToLowerInvariant() switch
        {
            "on" => true,
            "off" => false,
            _ => throw new FormatException($"enforce takes on or off, not '{words[1]}'"),
        };
        kafka.Idempotence.Enabled = on;
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
