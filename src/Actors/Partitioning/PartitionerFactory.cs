using KafkaActors.Errors;
using KafkaActors.Settings;

namespace KafkaActors.Partitioning;

/// <summary>The partitioner that partitioner.class names, or the built-in one.</summary>
internal static class PartitionerFactory
{
    public static IPartitioner Create(ProducerSettings settings)
    {
        if (settings.PartitionerClass.Length == 0)
            return new DefaultPartitioner(settings.BatchSize, settings.PartitionerIgnoreKeys,
                settings.PartitionerAdaptivePartitioningEnable, settings.PartitionerAvailabilityTimeoutMs);
        var type = Type.GetType(settings.PartitionerClass, throwOnError: false)
                   ?? throw new ConfigException(ProducerConfig.PartitionerClass, settings.PartitionerClass, "no such type could be loaded.");
        if (!typeof(IPartitioner).IsAssignableFrom(type))
            throw new ConfigException(ProducerConfig.PartitionerClass, settings.PartitionerClass, $"{type.FullName} does not implement {nameof(IPartitioner)}.");
        try
        {
            return (IPartitioner)Activator.CreateInstance(type)!;
        }
        catch (Exception e)
        {
            throw new ConfigException(ProducerConfig.PartitionerClass, settings.PartitionerClass, $"could not be created: {e.Message}");
        }
    }
}
