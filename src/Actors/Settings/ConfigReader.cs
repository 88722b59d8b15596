using System.Globalization;
using Akka.Configuration;
using KafkaActors.Errors;
using KafkaActors.Protocol.Compression;
using KafkaActors.Protocol.Records;

namespace KafkaActors.Settings;

/// <summary>
/// Typed reads of one producer block (already over reference.conf) that report the key on any conversion
/// failure. Used by the settings readers only; a value type over an immutable Config, so thread-safe.
/// </summary>
internal readonly struct ConfigReader(Config config)
{
    public string String(string key) => config.GetString(key) ?? "";

    public bool Bool(string key) => String(key).Trim().ToLowerInvariant() switch
    {
        "true" or "on" or "yes" => true,
        "false" or "off" or "no" => false,
        var other => throw new ConfigException(key, other, "must be true or false."),
    };

    public long Long(string key, long min, long max = long.MaxValue)
    {
        var text = String(key).Trim();
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw new ConfigException(key, text, "must be a whole number.");
        if (value < min) throw new ConfigException(key, value, $"must be at least {min}.");
        if (value > max) throw new ConfigException(key, value, $"must be at most {max}.");
        return value;
    }

    public int Int(string key, int min, int max = int.MaxValue) => (int)Long(key, min, max);

    public double Double(string key, double min, double max)
    {
        var text = String(key).Trim();
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new ConfigException(key, text, "must be a number.");
        if (value < min || value > max)
            throw new ConfigException(key, value.ToString(CultureInfo.InvariantCulture),
                $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}.");
        return value;
    }

    public int Level(string key, CompressionType codec)
    {
        var level = Int(key, int.MinValue);
        if (!CompressionCodecs.IsValidLevel(codec, level))
            throw new ConfigException(key, level, $"is not a valid {codec.ToString().ToLowerInvariant()} compression level.");
        return level;
    }

    public IReadOnlyList<string> List(string key)
    {
        try
        {
            return config.GetStringList(key).Where(s => s.Length > 0).ToArray();
        }
        catch (Exception e) when (e is not ConfigException)
        {
            throw new ConfigException(key, String(key), "must be a list of type names.");
        }
    }

    /// <summary>A comma-separated string value (Java's LIST type) as trimmed, non-empty entries.</summary>
    public IReadOnlyList<string> CommaList(string key) =>
        String(key).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
