namespace KafkaActors.Streams;

/// <summary>A record to produce through a <see cref="KafkaFlow"/>, with a value of yours carried through to its result.</summary>
public sealed record ProducerMessage<TKey, TValue, TPassThrough>(ProducerRecord<TKey, TValue> Record, TPassThrough PassThrough);

/// <summary>
/// What <see cref="KafkaFlow.CreateWithErrors{TKey,TValue,TPassThrough}"/> emits for each message, in input order:
/// a <see cref="ProducerResult{TKey,TValue,TPassThrough}"/> when the record was written, a
/// <see cref="PublicationFailedResult{TKey,TValue,TPassThrough}"/> when it was not (the names Alpakka Kafka
/// proposed for its flow that emits errors, akka/alpakka-kafka#1101).
/// </summary>
public interface IResultsWithError<TKey, TValue, TPassThrough>
{
    ProducerRecord<TKey, TValue> Record { get; }

    TPassThrough PassThrough { get; }
}

/// <summary>What a <see cref="KafkaFlow"/> emits for each message, in the order they came in: where the record was written, and the pass-through.</summary>
public sealed record ProducerResult<TKey, TValue, TPassThrough>(RecordMetadata Metadata, ProducerRecord<TKey, TValue> Record, TPassThrough PassThrough)
    : IResultsWithError<TKey, TValue, TPassThrough>;

/// <summary>
/// A record that was not written (or, for timeouts, may not have been): why, the record, and the pass-through.
/// Emitted by <see cref="KafkaFlow.CreateWithErrors{TKey,TValue,TPassThrough}"/> in the failed record's place.
/// </summary>
public sealed record PublicationFailedResult<TKey, TValue, TPassThrough>(Exception Cause, ProducerRecord<TKey, TValue> Record, TPassThrough PassThrough)
    : IResultsWithError<TKey, TValue, TPassThrough>;
