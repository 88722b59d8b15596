using System.Numerics;

namespace KafkaActors.Metrics;

/// <summary>The producer's counters at one instant; differences give windowed rates. Immutable.</summary>
internal readonly record struct Counters(
    long RecordsSent,
    long RecordErrors,
    long RecordRetries,
    long Batches,
    long BatchBytes,
    long UncompressedBytes,
    long Requests,
    long RequestRecords,
    long Responses,
    long LatencyMs,
    long BufferExhausted,
    long WaitNanos,
    long BytesSent,
    long ThrottledResponses,
    long ThrottleTimeMs,
    long BatchSplits,
    long BatchedRecords,
    long RecordBytes,
    long QueueTimeMs) : ISubtractionOperators<Counters, Counters, Counters>
{
    public static Counters operator -(Counters a, Counters b) => new(
        a.RecordsSent - b.RecordsSent, a.RecordErrors - b.RecordErrors, a.RecordRetries - b.RecordRetries,
        a.Batches - b.Batches, a.BatchBytes - b.BatchBytes, a.UncompressedBytes - b.UncompressedBytes,
        a.Requests - b.Requests, a.RequestRecords - b.RequestRecords, a.Responses - b.Responses,
        a.LatencyMs - b.LatencyMs, a.BufferExhausted - b.BufferExhausted, a.WaitNanos - b.WaitNanos, a.BytesSent - b.BytesSent,
        a.ThrottledResponses - b.ThrottledResponses, a.ThrottleTimeMs - b.ThrottleTimeMs, a.BatchSplits - b.BatchSplits,
        a.BatchedRecords - b.BatchedRecords, a.RecordBytes - b.RecordBytes, a.QueueTimeMs - b.QueueTimeMs);
}
