namespace KafkaActors;

/// <summary>
/// The consumer group whose offsets a transaction commits (Java's <c>ConsumerGroupMetadata</c>). A generation id,
/// member id and group instance id from the consumer let the coordinator fence zombie consumers (KIP-447); the
/// defaults mean "not checked".
/// </summary>
public sealed record ConsumerGroupMetadata(string GroupId, int GenerationId = -1, string MemberId = "", string? GroupInstanceId = null);
