using Akka.Configuration;

namespace KafkaActors.Settings;

/// <summary>HOCON reads "linger.ms" as the path linger → ms; this lists the leaf paths, i.e. the Java property names.</summary>
internal static class HoconPaths
{
    public static IEnumerable<string> Leaves(Config config, string prefix = "")
    {
        foreach (var (key, value) in config.AsEnumerable())
        {
            var path = prefix.Length == 0 ? key : prefix + "." + key;
            if (value.IsObject())
            {
                foreach (var leaf in Leaves(config.GetConfig(key), path)) yield return leaf;
            }
            else
            {
                yield return path;
            }
        }
    }
}
