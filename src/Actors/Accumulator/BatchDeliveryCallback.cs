namespace KafkaActors.Accumulator;

/// <summary>
/// A delivery callback for tools that count acknowledgements (perf-test): told each record's outcome with its
/// CreateTime (which <see cref="RecordMetadata.Timestamp"/> is not on a LogAppendTime topic, nor on the embedded
/// broker, which always reports a LogAppendTime), and then, through <see cref="OnBatchEnd"/>, that the records of a
/// batch that had it are done. <see cref="ProducerBatch"/> completes its records in one loop on one thread, so all
/// its <see cref="OnCompletion"/> calls happen together at one instant: a callback may read a clock once per batch, and
/// publish what it counted once per batch, instead of once per record. What it keeps for the batch meanwhile it puts in
/// <c>batchState</c>, which the loop holds for it (null at the run's first record).
///
/// Contract: on a thread, the <see cref="OnCompletion"/> calls for batch callbacks come in runs, each of one callback
/// object, of records of one batch completed in one loop (other kinds of completion may run in between), each run ended
/// by one <see cref="OnBatchEnd"/> (given the run's state) before the thread starts another run. A batch whose records
/// alternate between two batch callbacks makes several runs; a record failed outside a batch is a run of one, and so is a
/// record completed through the plain <see cref="IDeliveryCallback"/>. Either method may throw: that is logged and
/// affects no other record. The subclass decides its own thread-safety (runs of different partitions overlap on
/// different threads).
/// </summary>
internal abstract class BatchDeliveryCallback : IDeliveryCallback
{
    /// <summary>One record's outcome; <paramref name="createTime"/> is the timestamp it was sent with (-1 if it never got one).</summary>
    public abstract void OnCompletion(in RecordMetadata metadata, long createTime, Exception? exception, ref object? batchState);

    /// <summary>The run of records that had this callback is over (see the class comment).</summary>
    public abstract void OnBatchEnd(object? batchState);

    void IDeliveryCallback.OnCompletion(RecordMetadata metadata, Exception? exception)
    {
        object? state = null;
        OnCompletion(metadata, metadata.Timestamp, exception, ref state);
        OnBatchEnd(state);
    }
}

/// <summary>
/// The batch callback whose run is open in a completion loop, and the state it keeps for the run
/// (see <see cref="BatchDeliveryCallback"/>). A local of that loop.
/// </summary>
internal struct BatchRun
{
    public BatchDeliveryCallback? Callback;
    public object? State;
}
