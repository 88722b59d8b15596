namespace KafkaActors;

/// <summary>
/// Called once per record with its outcome (Java's <c>Callback.onCompletion</c>): metadata on success,
/// or the exception (metadata then carries topic and partition with offset -1). Runs on the partition's
/// actor, in send order per partition: keep it short and never block in it. A record that fails before
/// reaching a batch is reported where the failure was found instead: the sending thread, the producer
/// actor, or the thread that cancelled a waiting send. Unlike Java (one I/O thread), callbacks of
/// different partitions can run at the same time, so shared state needs a lock. An exception it throws
/// is logged and affects no other record.
/// </summary>
public interface IDeliveryCallback
{
    void OnCompletion(RecordMetadata metadata, Exception? exception);
}
