namespace KafkaActors.Streams;

/// <summary>
/// The transactional part of a stage's configuration: how to cut transactions, and where an element's consumed
/// offset is (null: elements carry none). Immutable; held by the stage, read by each materialization's
/// <see cref="TransactionalStageLogic{TIn,TKey,TValue,TOut}"/>.
/// </summary>
internal sealed record StageTransactions<TIn>(TransactionalStreamSettings Settings, Func<TIn, PartitionOffset?>? OffsetOf, bool OwnsProducer)
{
    /// <summary>Checks the producer and the settings when the stream is built, not when it runs.</summary>
    public static StageTransactions<TIn> For<TKey, TValue>(KafkaProducer<TKey, TValue> producer, TransactionalStreamSettings settings, Func<TIn, PartitionOffset?>? offsetOf, bool ownsProducer)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentNullException.ThrowIfNull(settings);
        if (!producer.Settings.IsTransactional)
            throw new ArgumentException("A transactional stage needs a producer with a transactional.id.", nameof(producer));
        settings.Validate(withOffsets: offsetOf is not null);
        return new StageTransactions<TIn>(settings, offsetOf, ownsProducer);
    }
}
