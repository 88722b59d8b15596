using System.Buffers;

namespace KafkaActors.Serialization;

/// <summary>What a serializer is told besides the data: the topic, key or value, and the record's headers (which it may add to).</summary>
public readonly record struct SerializationContext(string Topic, bool IsKey, Headers? Headers);

/// <summary>
/// Turns a key or value into bytes (Java's <c>Serializer</c>). Writes straight into the
/// <c>output</c> buffer writer so nothing is allocated per record; returns false to send a Kafka
/// null (no bytes, length -1) instead. Must be thread-safe: the facade calls it from the caller's thread.
/// Throwing fails that one send with a <see cref="Errors.SerializationException"/>.
/// </summary>
public interface ISerializer<in T>
{
    bool Serialize(T data, in SerializationContext context, IBufferWriter<byte> output);
}
