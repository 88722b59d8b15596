using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;

namespace KafkaActors.Errors;

/// <summary>
/// The exception each record of a refused batch gets when the broker named some of its records (Produce v8+ RecordErrors,
/// KIP-467), as Java's <c>Sender.failBatch</c> decides: a named record gets the partition's error with the record's own
/// message (or the partition's message), typed by the error code when only one record is named and as
/// <see cref="InvalidRecordException"/> when several are (the code cannot tell their causes apart); every other record of
/// the batch fails too, with a <see cref="KafkaException"/> saying it was in a batch with invalid records. Stateless.
/// </summary>
internal static class RecordErrorMapping
{
    public const string OtherRecordMessage = "Failed to append record because it was part of a batch which had one or more invalid records.";

    /// <summary>Record <c>i</c>'s exception; <paramref name="context"/> names the batch (partition, node).</summary>
    public static Func<int, Exception> Exceptions(ErrorCode code, string? errorMessage, IReadOnlyList<ProduceRecordError> recordErrors, string context)
    {
        var named = new Dictionary<int, Exception>(recordErrors.Count);
        foreach (var recordError in recordErrors)
        {
            var message = recordError.Message ?? errorMessage;
            var recordContext = $"{context}, record {recordError.BatchIndex}";
            named[recordError.BatchIndex] = recordErrors.Count == 1
                ? ErrorMapping.ToException(code, recordContext, message)
                : ErrorMapping.ToException(ErrorCode.InvalidRecord, recordContext, message);
        }
        var others = new KafkaException(OtherRecordMessage);
        return index => named.TryGetValue(index, out var exception) ? exception : others;
    }
}
