namespace KafkaActors;

/// <summary>A topic name and partition number: the unit a partition actor owns.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition}";
}
