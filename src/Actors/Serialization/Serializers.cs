using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace KafkaActors.Serialization;

/// <summary>The built-in serializers: bytes, UTF-8 strings, big-endian int32/int64 (as Java's), and null.</summary>
public static class Serializers
{
    public static ISerializer<byte[]?> ByteArray { get; } = new ByteArraySerializer();
    public static ISerializer<ReadOnlyMemory<byte>> Memory { get; } = new MemorySerializer();
    public static ISerializer<string?> Utf8 { get; } = new Utf8Serializer();
    public static ISerializer<int> Int32 { get; } = new Int32Serializer();
    public static ISerializer<long> Int64 { get; } = new Int64Serializer();

    /// <summary>Always a Kafka null, for records without a key (Confluent's <c>Null</c>, Java's <c>VoidSerializer</c>).</summary>
    public static ISerializer<T> Null<T>() => NullSerializer<T>.Instance;

    /// <summary>The built-in serializer for <typeparamref name="T"/>, or null when there is none.</summary>
    public static ISerializer<T>? For<T>()
    {
        object? serializer = typeof(T) == typeof(byte[]) ? ByteArray
            : typeof(T) == typeof(string) ? Utf8
            : typeof(T) == typeof(int) ? Int32
            : typeof(T) == typeof(long) ? Int64
            : typeof(T) == typeof(ReadOnlyMemory<byte>) ? Memory
            : null;
        return serializer as ISerializer<T>;
    }

    private sealed class ByteArraySerializer : ISerializer<byte[]?>
    {
        public bool Serialize(byte[]? data, in SerializationContext context, IBufferWriter<byte> output)
        {
            if (data is null) return false;
            output.Write(data);
            return true;
        }
    }

    private sealed class MemorySerializer : ISerializer<ReadOnlyMemory<byte>>
    {
        public bool Serialize(ReadOnlyMemory<byte> data, in SerializationContext context, IBufferWriter<byte> output)
        {
            output.Write(data.Span);
            return true;
        }
    }

    private sealed class Utf8Serializer : ISerializer<string?>
    {
        public bool Serialize(string? data, in SerializationContext context, IBufferWriter<byte> output)
        {
            if (data is null) return false;
            var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(data.Length));
            output.Advance(Encoding.UTF8.GetBytes(data, span));
            return true;
        }
    }

    private sealed class Int32Serializer : ISerializer<int>
    {
        public bool Serialize(int data, in SerializationContext context, IBufferWriter<byte> output)
        {
            BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), data);
            output.Advance(4);
            return true;
        }
    }

    private sealed class Int64Serializer : ISerializer<long>
    {
        public bool Serialize(long data, in SerializationContext context, IBufferWriter<byte> output)
        {
            BinaryPrimitives.WriteInt64BigEndian(output.GetSpan(8), data);
            output.Advance(8);
            return true;
        }
    }

    private sealed class NullSerializer<T> : ISerializer<T>
    {
        public static readonly NullSerializer<T> Instance = new();

        public bool Serialize(T data, in SerializationContext context, IBufferWriter<byte> output) => false;
    }
}
