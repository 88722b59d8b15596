using Akka.Configuration;
using KafkaActors.Security;
using KafkaActors.Settings;
using Microsoft.Extensions.Configuration;

namespace KafkaActors.Hosting;

/// <summary>
/// Resolves a hosted producer's settings from its layers, highest first: code options, an
/// <c>IConfiguration</c> section, the ActorSystem's <c>akka.kafka.producers.&lt;name&gt;</c> block, its
/// <c>akka.kafka.producer</c> block, and reference.conf (inside <see cref="ProducerSettings.FromProperties(IEnumerable{KeyValuePair{string, string}})"/>).
/// </summary>
/// <remarks>
/// Every layer is turned into Java properties holding only the keys that layer sets, because
/// ProducerSettings treats what it is given as set explicitly, and explicitness matters: an explicit
/// <c>enable.idempotence=true</c> conflicting with <c>acks=1</c> is an error, a default one is switched off.
/// The ActorSystem's config has reference.conf merged in; <see cref="ProducerSettings.UserProperties"/>
/// tells the user's keys from reference.conf's. The layers hold secrets as given and are never printed.
/// </remarks>
internal static class SettingsLayers
{
    public static ProducerSettings Resolve(
        string name, Config system, IConfiguration? section, IReadOnlyDictionary<string, string> code, IOAuthBearerTokenProvider? tokenProvider = null)
    {
        var merged = FromHocon(system, name);
        if (section is not null)
        {
            foreach (var (key, value) in FromConfiguration(section)) merged[key] = value;
        }
        foreach (var (key, value) in code) merged[key] = value;
        merged.TryAdd(ProducerConfig.ClientId, name);
        return ProducerSettings.FromProperties(merged, tokenProvider);
    }

    /// <summary>The keys the user set in HOCON: <c>akka.kafka.producer</c> overlaid with <c>akka.kafka.producers.&lt;name&gt;</c>.</summary>
    public static Dictionary<string, string> FromHocon(Config system, string name)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in new[] { KafkaProducerHostingExtensions.DefaultPath, KafkaProducerHostingExtensions.NamedPath(name) })
        {
            if (!system.HasPath(path)) continue;
            foreach (var (key, value) in ProducerSettings.UserProperties(system.GetConfig(path))) properties[key] = value;
        }
        return properties;
    }

    /// <summary>
    /// An IConfiguration section as Java properties. Keys keep their dots (<c>"linger.ms": "10"</c>);
    /// nested sections are joined with dots too (<c>"linger": { "ms": "10" }</c>); arrays become
    /// ";"-separated lists. Keys are lower-cased, as IConfiguration matches keys regardless of case.
    /// </summary>
    public static Dictionary<string, string> FromConfiguration(IConfiguration section)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var lists = new Dictionary<string, SortedDictionary<int, string>>(StringComparer.Ordinal);
        foreach (var (path, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is null) continue;
            var segments = path.Split(ConfigurationPath.KeyDelimiter);
            if (segments.Length > 1 && int.TryParse(segments[^1], out var index))
            {
                var listKey = string.Join('.', segments[..^1]).ToLowerInvariant();
                if (!lists.TryGetValue(listKey, out var items)) lists[listKey] = items = new SortedDictionary<int, string>();
                items[index] = value;
            }
            else
            {
                properties[string.Join('.', segments).ToLowerInvariant()] = value;
            }
        }
        foreach (var (key, items) in lists) properties[key] = string.Join(";", items.Values); // entries may hold commas (assembly-qualified names)
        return properties;
    }
}
