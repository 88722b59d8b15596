using KafkaActors.Protocol;
using KafkaActors.Protocol.Errors;
using KafkaActors.Testing.Secure.Idempotence;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// A front stage that refuses the batches of the next <see cref="Remaining"/> Produce requests (v8+) to <see cref="Topic"/>
/// with an error code (INVALID_RECORD by default) and RecordErrors naming records by their index in the batch, as a Kafka
/// broker does when record validation fails (KIP-467: a compacted topic's record without a key, a bad timestamp). librdkafka's
/// mock never sends RecordErrors. Nothing of a refused request reaches the broker or the idempotence check after this stage;
/// its other topics' partitions get NOT_ENOUGH_REPLICAS and are sent again (see <see cref="LocalProduceRefusal"/>). Add it to
/// <see cref="SecureKafkaOptions.FrameHandlers"/>; one instance may serve every connection. Thread-safe.
/// </summary>
public sealed class RecordErrorStage : IFrameHandler
{
    private readonly (int BatchIndex, string? Message)[] _recordErrors;
    private readonly string? _errorMessage;
    private int _remaining;
    private int _refused;

    /// <summary>
    /// Refuses the next <paramref name="times"/> requests to <paramref name="topic"/> with <paramref name="errorCode"/>, naming
    /// <paramref name="recordErrors"/> (batch index, message or null) and the partition-level <paramref name="errorMessage"/>.
    /// </summary>
    public RecordErrorStage(string topic, IReadOnlyList<(int BatchIndex, string? Message)> recordErrors, string? errorMessage = null,
        int times = 1, short errorCode = KafkaErrorCodes.InvalidRecord)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(recordErrors);
        Topic = topic;
        _recordErrors = [.. recordErrors];
        _errorMessage = errorMessage;
        _remaining = times;
        ErrorCode = errorCode;
    }

    /// <summary>The topic whose batches are refused.</summary>
    public string Topic { get; }

    /// <summary>The partition-level error code of the refusals.</summary>
    public short ErrorCode { get; }

    /// <summary>Requests still to refuse.</summary>
    public int Remaining => Math.Max(0, Volatile.Read(ref _remaining));

    /// <summary>Batches refused so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <inheritdoc/>
    public FrameAction OnRequest(in KafkaRequestFrame request)
    {
        if (request.ApiKey != (short)ApiKey.Produce || request.ApiVersion is < 8 or > ProduceRequestView.MaxVersion || Volatile.Read(ref _remaining) <= 0)
            return FrameAction.Pass;
        var view = ProduceRequestView.Parse(in request);
        var ours = view.Partitions.Count(p => p.Topic == Topic);
        if (ours == 0 || Interlocked.Decrement(ref _remaining) < 0) return FrameAction.Pass;
        Interlocked.Add(ref _refused, ours);
        return LocalProduceRefusal.Respond(view, request.CorrelationId, partition => partition.Topic == Topic
            ? new ProduceResponseLayout.Answer(partition.Topic, partition.Partition, null, (ErrorCode)ErrorCode, ErrorMessage: _errorMessage, RecordErrors: _recordErrors)
            : null);
    }

    /// <inheritdoc/>
    public override string ToString() => $"record errors on {Topic}: {Refused} batches refused, {Remaining} requests to go";
}
