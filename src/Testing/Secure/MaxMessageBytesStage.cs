using System.Buffers.Binary;
using KafkaActors.Protocol;
using KafkaActors.Protocol.Errors;
using KafkaActors.Testing.Secure.Idempotence;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// A front stage that refuses record batches larger than <see cref="MaxMessageBytes"/> with MESSAGE_TOO_LARGE, as a Kafka
/// broker does for a batch above the topic's <c>max.message.bytes</c> (Kafka's check in <c>UnifiedLog.analyzeAndValidateRecords</c>;
/// librdkafka's mock has none). A refused request never reaches the broker, nor the idempotence check after this stage, as in
/// Kafka, where the size check comes before the producer state. Partitions of the same request within the limit get
/// NOT_ENOUGH_REPLICAS and are sent again (see <see cref="LocalProduceRefusal"/>). Add it to
/// <see cref="SecureKafkaOptions.FrameHandlers"/>; one instance may serve every connection. Thread-safe.
/// </summary>
public sealed class MaxMessageBytesStage : IFrameHandler
{
    private int _refused;

    /// <summary>Refuses batches of more than <paramref name="maxMessageBytes"/> bytes (header included).</summary>
    public MaxMessageBytesStage(int maxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, 61);
        MaxMessageBytes = maxMessageBytes;
    }

    /// <summary>The largest batch accepted, in bytes.</summary>
    public int MaxMessageBytes { get; }

    /// <summary>Batches refused so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <inheritdoc/>
    public FrameAction OnRequest(in KafkaRequestFrame request)
    {
        if (request.ApiKey != (short)ApiKey.Produce || request.ApiVersion is < ProduceRequestView.MinVersion or > ProduceRequestView.MaxVersion)
            return FrameAction.Pass;
        var view = ProduceRequestView.Parse(in request);
        var tooLarge = 0;
        foreach (var partition in view.Partitions)
            if (LargestBatch(partition.Records) is { } size && size > MaxMessageBytes) tooLarge++;
        if (tooLarge == 0) return FrameAction.Pass;
        Interlocked.Add(ref _refused, tooLarge);
        return LocalProduceRefusal.Respond(view, request.CorrelationId, partition => LargestBatch(partition.Records) is { } size && size > MaxMessageBytes
            ? new ProduceResponseLayout.Answer(partition.Topic, partition.Partition, null, ErrorCode.MessageTooLarge,
                ErrorMessage: $"The record batch size in the append to {partition.Topic}-{partition.Partition} is {size} bytes which exceeds the maximum configured value of {MaxMessageBytes}.")
            : null);
    }

    /// <summary>The size of the largest batch in a records field (log overhead 12 bytes plus the batch length).</summary>
    private static int? LargestBatch(ReadOnlyMemory<byte>? records)
    {
        if (records is not { } memory) return null;
        var span = memory.Span;
        int? largest = null;
        for (var offset = 0; span.Length - offset >= 12;)
        {
            var size = 12 + BinaryPrimitives.ReadInt32BigEndian(span[(offset + 8)..]);
            largest = Math.Max(largest ?? 0, size);
            offset += size;
        }
        return largest;
    }

    /// <inheritdoc/>
    public override string ToString() => $"max.message.bytes {MaxMessageBytes}: {Refused} batches refused";
}
