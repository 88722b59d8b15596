using KafkaActors.Errors;

namespace KafkaActors.Producer;

/// <summary>Kafka's topic name rules (Java's <c>Topic.validate</c>), checked before any wait for metadata.</summary>
internal static class TopicName
{
    public const int MaxLength = 249;

    public static void Validate(string topic)
    {
        if (topic.Length == 0) throw new InvalidTopicException("Topic name is illegal, it can't be empty.");
        if (topic is "." or "..") throw new InvalidTopicException($"Topic name cannot be \"{topic}\".");
        if (topic.Length > MaxLength) throw new InvalidTopicException($"Topic name is illegal, it can't be longer than {MaxLength} characters, topic name: {topic}");
        foreach (var c in topic)
        {
            if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-') continue;
            throw new InvalidTopicException($"Topic name \"{topic}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'");
        }
    }
}
