namespace KafkaActors;

/// <summary>
/// An offset to commit for a partition (Java's <c>OffsetAndMetadata</c>): the offset of the next record to consume,
/// that is the last consumed offset + 1, with optional metadata and the leader epoch of the consumed record.
/// </summary>
public sealed record OffsetAndMetadata(long Offset, string? Metadata = null, int? LeaderEpoch = null);
