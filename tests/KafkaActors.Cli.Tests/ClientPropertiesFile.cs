using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace KafkaActors.Cli.Tests;

/// <summary>
/// The tests' reading of a Java client properties file written by <c>kafka-actors broker --client-config</c>,
/// and the Confluent.Kafka configuration that says the same, for reading back through the secure front.
/// Deliberately small and independent of the tool's own parser: <c>key=value</c> lines, <c>#</c> comments,
/// backslash escapes of single characters.
/// </summary>
public static partial class ClientPropertiesFile
{
    public static Dictionary<string, string> Read(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.Length == 0 || line[0] is '#' or '!') continue;
            var equals = line.IndexOf('=');
            result[line[..equals]] = Unescape(line[(equals + 1)..]);
        }
        return result;
    }

    public static void Write(string path, IEnumerable<KeyValuePair<string, string>> properties) =>
        File.WriteAllLines(path, properties.Select(p => $"{p.Key}={p.Value.Replace("\\", "\\\\", StringComparison.Ordinal)}"));

    /// <summary>bootstrap.servers, security.protocol, ssl.ca.location from the PEM trust store, SASL mechanism, user and password from the JAAS line.</summary>
    public static ClientConfig ToConfluent(IReadOnlyDictionary<string, string> properties)
    {
        var config = new ClientConfig
        {
            BootstrapServers = properties["bootstrap.servers"],
            SecurityProtocol = Enum.Parse<SecurityProtocol>(properties["security.protocol"].Replace("_", ""), ignoreCase: true),
        };
        if (properties.TryGetValue("ssl.truststore.location", out var ca))
        {
            if (properties["ssl.truststore.type"] != "PEM") throw new ArgumentException("Expected a PEM trust store.");
            config.SslCaLocation = ca;
        }
        if (properties.TryGetValue("sasl.mechanism", out var mechanism))
        {
            config.Set("sasl.mechanism", mechanism);
            var jaas = JaasCredentials().Match(properties["sasl.jaas.config"]);
            if (!jaas.Success) throw new ArgumentException("No username and password in sasl.jaas.config.");
            config.SaslUsername = jaas.Groups["user"].Value;
            config.SaslPassword = jaas.Groups["password"].Value;
        }
        return config;
    }

    private static string Unescape(string value) => Regex.Replace(value, @"\\(.)", m => m.Groups[1].Value);

    [GeneratedRegex("""username="(?<user>[^"]*)"\s+password="(?<password>[^"]*)";""")]
    private static partial Regex JaasCredentials();
}
