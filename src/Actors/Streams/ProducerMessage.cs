namespace KafkaActors.Streams;

/// <summary>A record to produce through a <see cref="KafkaFlow"/>, with a value of yours carried through to its result.</summary>
public sealed record ProducerMessage<TKey, TValue, TPassThrough>(ProducerRecord<TKey, TValue> Record, TPassThrough PassThrough);

/// <summary>What a <see cref="KafkaFlow"/> emits for each message, in the order they came in: where the record was written, and the pass-through.</summary>
public sealed record ProducerResult<TKey, TValue, TPassThrough>(RecordMetadata Metadata, ProducerRecord<TKey, TValue> Record, TPassThrough PassThrough);
