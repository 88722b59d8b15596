using System.Diagnostics.CodeAnalysis;
using KafkaActors.Errors;
using KafkaActors.Settings;

namespace KafkaActors.Partitioning;

/// <summary>
/// The partitioner that partitioner.class names, or the built-in one. Stateless. Loading by name is the
/// reflective path; the typed alternative is an <see cref="IPartitioner"/> instance given to the
/// KafkaProducer constructor (or KafkaProducerOptions.Partitioner), which is used instead of this.
/// </summary>
internal static class PartitionerFactory
{
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification =
        "Types are loaded only when partitioner.class is set. A trimmed app that sets it must keep the type (README, "
        + "'Trimming and AOT') or pass an instance; a type the trimmer removed fails construction with a ConfigException naming the key.")]
    public static IPartitioner Create(ProducerSettings settings) =>
        settings.PartitionerClass.Length == 0
            ? new DefaultPartitioner(settings.BatchSize, settings.PartitionerIgnoreKeys,
                settings.PartitionerAdaptivePartitioningEnable, settings.PartitionerAvailabilityTimeoutMs)
            : LoadByName(settings.PartitionerClass);

    [RequiresUnreferencedCode("partitioner.class loads a type by name, which trimming may have removed: pass an IPartitioner instance instead.")]
    private static IPartitioner LoadByName(string name)
    {
        var type = Type.GetType(name, throwOnError: false)
                   ?? throw new ConfigException(ProducerConfig.PartitionerClass, name, "no such type could be loaded.");
        if (!typeof(IPartitioner).IsAssignableFrom(type))
            throw new ConfigException(ProducerConfig.PartitionerClass, name, $"{type.FullName} does not implement {nameof(IPartitioner)}.");
        try
        {
            return (IPartitioner)Activator.CreateInstance(type)!;
        }
        catch (Exception e)
        {
            throw new ConfigException(ProducerConfig.PartitionerClass, name, $"could not be created: {e.Message}");
        }
    }
}
