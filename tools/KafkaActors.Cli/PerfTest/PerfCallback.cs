namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// Kafka's <c>PerfCallback</c>: one small object per record carrying its send time and size, so the acknowledgement
/// can be turned into a send→ack latency; what it records into is shared by all records (<see cref="PerfRecorder"/>).
/// Runs on a partition actor: records the outcome and returns. Immutable.
/// </summary>
internal sealed class PerfCallback(long startMs, int bytes, PerfRecorder recorder) : IDeliveryCallback
{
    public void OnCompletion(RecordMetadata metadata, Exception? exception) => recorder.Completed(startMs, bytes, exception);
}
