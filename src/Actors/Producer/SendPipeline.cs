using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using KafkaActors.Partitioning;
using KafkaActors.Protocol.Primitives;
using KafkaActors.Protocol.Records;
using KafkaActors.Serialization;
using KafkaActors.Tracing;

namespace KafkaActors.Producer;

/// <summary>A record serialized and placed, ready to append: spans into the calling thread's scratch buffers.</summary>
internal ref struct PreparedRecord
{
    public PartitionAccumulator Accumulator;
    public int Partition;
    public bool PartitionerChose;
    public long Timestamp;
    public ReadOnlySpan<byte> Key;
    public int KeyLength;
    public ReadOnlySpan<byte> Value;
    public int ValueLength;
    public ReadOnlySpan<RecordHeader> Headers;
    public int SizeUpperBound;

    /// <summary>The topic's sticky state when the built-in partitioner placed the record: told the appended bytes directly.</summary>
    public BuiltInPartitioner? Sticky;
}

/// <summary>
/// Steps 2 and 4–8 of Java's <c>KafkaProducer.doSend</c> for a record whose topic is routed:
/// closed check, serialization, partition choice, size checks and the append. Runs on the sending
/// thread (facade callers, or the ProducerActor for Tell), allocation-free: keys and values are
/// serialized into per-thread scratch buffers and copied once, into the batch (a traced record, only while
/// the KafkaActors ActivitySource has listeners, gets its own header array with its span's context).
/// Waiting (for metadata or memory) is the caller's business: blocking for Send, messages to the
/// ProducerActor for Tell and SendAsync, async callbacks for stream stages. Thread-safe (stateless
/// but for the per-thread scratch buffers).
/// </summary>
internal sealed class SendPipeline<TKey, TValue>(ProducerRuntime<TKey, TValue> runtime)
{
    private readonly int _maxRequestSize = runtime.Settings.MaxRequestSize;
    private readonly long _bufferMemory = runtime.Settings.BufferMemory;
    private readonly int _batchSize = runtime.Settings.BatchSize;
    private readonly DefaultPartitioner? _builtIn = runtime.Partitioner as DefaultPartitioner;
    private readonly bool _propagateContext = runtime.Settings.TracingPropagateContext;
    private readonly bool _rawKeys = IsRaw(runtime.KeySerializer);
    private readonly bool _rawValues = IsRaw(runtime.ValueSerializer);

    /// <summary>Whether <paramref name="serializer"/> is a built-in one that writes its data as they are (bytes, memory).</summary>
    private static bool IsRaw(object serializer) => ReferenceEquals(serializer, Serializers.ByteArray) || ReferenceEquals(serializer, Serializers.Memory);

    /// <summary>Step 2: sends after close (or after a fatal error) fail fast.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ThrowIfClosed()
    {
        if (runtime.IsClosing) ThrowClosed();
        ThrowIfCannotAppend();
    }

    /// <summary>Step 2 for a new record: closed, fatal, or (transactional producers) outside an open transaction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ThrowIfCannotSend()
    {
        ThrowIfClosed();
        runtime.Transactions?.EnsureSendAllowed();
    }

    /// <summary>For records accepted before close began: only a closed accumulator (or a fatal error) stops them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ThrowIfCannotAppend()
    {
        if (runtime.Accumulator.IsClosed || runtime.FatalError is not null) ThrowCannotAppend();
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowClosed() => throw new ProducerClosedException("Cannot perform operation after producer has been closed.");

    // Out of line: the exceptions' messages would give every send a larger stack frame to set up.
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowCannotAppend()
    {
        if (runtime.Accumulator.IsClosed) throw new ProducerClosedException("Cannot perform operation after producer has been closed.");
        switch (runtime.FatalError)
        {
            // A broker's refusal (e.g. no idempotence support) stays typed: it becomes the record's outcome.
            case ApiException api: throw new ApiException(api.ErrorCode, $"The producer cannot send any more: {api.Message}", api);
            case var fatal: throw new KafkaException($"The producer cannot send any more: {fatal!.Message}", fatal);
        }
    }

    /// <summary>Step 4 alone, for a record that will wait for metadata: serializer errors surface to the sender now.</summary>
    public void CheckSerializable(ProducerRecord<TKey, TValue> record)
    {
        PreparedRecord prepared = default;
        Serialize(record, ref prepared);
    }

    /// <summary>
    /// Steps 4–6: serialize, choose the partition, check sizes. Throws on bad input, and whatever the partitioner throws.
    /// A traced record (<paramref name="completion"/> a <see cref="TracedDelivery"/>) gets its span's partition and
    /// leader tags, and its context in the headers it is written with (its own headers are left as they are).
    /// </summary>
    public void Prepare(ProducerRecord<TKey, TValue> record, TopicRoute route, object? completion, out PreparedRecord prepared)
    {
        prepared = default;
        route.Usage.Touch(); // a send keeps the topic's metadata (metadata.max.idle.ms)
        Serialize(record, ref prepared);
        Place(record, route, completion as TracedDelivery, ref prepared);
    }

    /// <summary>
    /// Step 4: the key and value bytes into <paramref name="prepared"/>. With the built-in byte-array or memory serializer
    /// they are the record's own bytes, as Java's ByteArraySerializer returns its array: copied once, into the batch.
    /// Other serializers write into this thread's scratch buffers.
    /// </summary>
    private void Serialize(ProducerRecord<TKey, TValue> record, ref PreparedRecord prepared)
    {
        if (!TryRawBytes(record.Key, _rawKeys, out prepared.Key, out prepared.KeyLength))
            prepared.KeyLength = SerializeInto(runtime.KeySerializer, record.Key, SerializationScratch<TKey, TValue>.ForThisThread.Key, record.Topic, isKey: true, record.Headers, out prepared.Key);
        if (!TryRawBytes(record.Value, _rawValues, out prepared.Value, out prepared.ValueLength))
            prepared.ValueLength = SerializeInto(runtime.ValueSerializer, record.Value, SerializationScratch<TKey, TValue>.ForThisThread.Value, record.Topic, isKey: false, record.Headers, out prepared.Value);
    }

    /// <summary>A key or value through its serializer into a scratch buffer; its length, or -1 for null.</summary>
    private static int SerializeInto<T>(ISerializer<T> serializer, T data, PooledBufferWriter scratch, string topic, bool isKey, Headers? headers, out ReadOnlySpan<byte> bytes)
    {
        scratch.Clear();
        bool hasData;
        try
        {
            hasData = serializer.Serialize(data, new SerializationContext(topic, isKey, headers), scratch);
        }
        catch (Exception e) when (e is not KafkaException)
        {
            throw new SerializationException($"Can't serialize {(isKey ? "key" : "value")} of record to topic {topic} with {serializer.GetType().Name}: {e.Message}", e);
        }
        bytes = scratch.WrittenSpan;
        return hasData ? scratch.WrittenCount : -1;
    }

    /// <summary>
    /// What the built-in <see cref="Serializers.ByteArray"/> or <see cref="Serializers.Memory"/> serializer (<paramref name="raw"/>)
    /// would write, without writing it: the bytes themselves, and their length (-1 for a null array, as that serializer's null).
    /// </summary>
    private static bool TryRawBytes<T>(T data, bool raw, out ReadOnlySpan<byte> bytes, out int length)
    {
        if (!raw)
        {
            bytes = default;
            length = 0;
            return false;
        }
        if (typeof(T) == typeof(ReadOnlyMemory<byte>))
        {
            var memory = Unsafe.As<T, ReadOnlyMemory<byte>>(ref data);
            bytes = memory.Span;
            length = memory.Length;
            return true;
        }
        // Only an ISerializer<byte[]?> is the built-in byte-array one, so T is byte[] here.
        var array = Unsafe.As<byte[]?>(data);
        bytes = array;
        length = array?.Length ?? -1;
        return true;
    }

    /// <summary>Steps 5–6 on the serialized bytes: partition and size checks.</summary>
    private void Place(ProducerRecord<TKey, TValue> record, TopicRoute route, TracedDelivery? traced, ref PreparedRecord prepared)
    {
        var headers = record.Headers;
        var hasKey = prepared.KeyLength >= 0;
        prepared.Headers = headers is null ? default : headers.AsSpan();

        if (record.Partition is { } explicitPartition)
        {
            if (explicitPartition >= route.PartitionCount) ThrowInvalidPartition(explicitPartition, route.PartitionCount);
            prepared.Partition = explicitPartition;
        }
        else
        {
            var context = new PartitionerContext(route.PartitionCount, route.AvailablePartitions, route, availableFixedWithLoad: true);
            int partition;
            if (_builtIn is not null)
            {
                var sticky = prepared.Sticky = route.Sticky ??= _builtIn.StickyFor(record.Topic);
                partition = _builtIn.Partition(sticky, prepared.Key, hasKey, context);
            }
            else partition = runtime.Partitioner.Partition(record.Topic, prepared.Key, hasKey, prepared.Value, context);
            if ((uint)partition >= (uint)route.PartitionCount) ThrowPartitionerOutOfRange(partition, record.Topic, route.PartitionCount);
            prepared.Partition = partition;
            prepared.PartitionerChose = true;
        }
        if (traced is not null)
        {
            ProducerTracing.OnPlaced(traced.Activity, prepared.Partition, route.Partitions[prepared.Partition].Leader);
            if (_propagateContext) prepared.Headers = traced.HeadersWithContext(prepared.Headers);
        }

        var size = RecordBatchBuilder.EstimateSizeUpperBound(prepared.KeyLength, prepared.ValueLength, prepared.Headers);
        if (size > _maxRequestSize || size > _bufferMemory) ThrowTooLarge(size);
        prepared.SizeUpperBound = size;
        prepared.Accumulator = route.Partitions[prepared.Partition];
        prepared.Timestamp = record.Timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    }

    // The throws of Place, out of line: their messages' formatting would give every send a larger stack frame to set up.
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalidPartition(int partition, int partitionCount) =>
        throw new ArgumentException($"Invalid partition given with record: {partition} is not in the range [0...{partitionCount}).");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowPartitionerOutOfRange(int partition, string topic, int partitionCount) =>
        throw new KafkaException($"Partitioner {runtime.Partitioner.GetType().Name} chose partition {partition} of topic {topic}, which has {partitionCount}.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowTooLarge(int size)
    {
        if (size > _maxRequestSize)
            throw new RecordTooLargeException($"The message is {size} bytes when serialized which is larger than {_maxRequestSize}, which is the value of the max.request.size configuration.");
        throw new RecordTooLargeException($"The message is {size} bytes when serialized which is larger than the total memory buffer you have configured with the buffer.memory configuration ({_bufferMemory}).");
    }

    /// <summary>
    /// Step 7, the one append path of every front end: appends to the partition's open batch, or to a new
    /// batch in <paramref name="granted"/> (memory the caller waited for) or in memory free now.
    /// <paramref name="granted"/> is always consumed: taken by the batch, or given back to the pool (also when
    /// it is too small for this record, or when the append throws). On <see cref="AppendResult.NeedsMemory"/>
    /// the caller waits, its own way, for <paramref name="bufferSize"/> bytes and calls again.
    /// </summary>
    public AppendResult Append(string topic, ref PreparedRecord prepared, object? completion, byte[]? granted, out int bufferSize)
    {
        bufferSize = BufferSizeFor(prepared);
        var pool = runtime.Accumulator.Pool;
        var buffer = granted;
        int appendedBytes;
        bool batchFull;
        try
        {
            if (buffer is not null && buffer.Length < bufferSize)
            {
                pool.Deallocate(buffer);
                buffer = null;
            }
            if (!TryAppend(ref prepared, completion, ref buffer, out appendedBytes, out batchFull))
            {
                buffer = pool.TryAllocate(bufferSize);
                if (buffer is null) return AppendResult.NeedsMemory;
                TryAppend(ref prepared, completion, ref buffer, out appendedBytes, out batchFull);
            }
        }
        finally
        {
            if (buffer is not null) pool.Deallocate(buffer);
        }
        // The built-in partitioner (prepared.Sticky) counted the bytes under the partition's lock.
        if (prepared.Sticky is null && prepared.PartitionerChose) OnAppended(topic, prepared.Partition, appendedBytes);
        return AppendResult.Appended;
    }

    private static bool TryAppend(ref PreparedRecord prepared, object? completion, ref byte[]? buffer, out int appendedBytes, out bool batchFull) =>
        prepared.Accumulator.TryAppend(prepared.Timestamp, prepared.Key, prepared.KeyLength, prepared.Value, prepared.ValueLength,
            prepared.Headers, completion, ref buffer, out appendedBytes, out batchFull, prepared.Sticky);

    /// <summary>
    /// The bytes really appended go to a user's partitioner (the built-in one, through <see cref="PreparedRecord.Sticky"/>,
    /// also learns whether the record filled its batch, to switch on a batch boundary). The record is in its batch
    /// whatever the hook does: a throwing hook is logged, not the record's failure.
    /// </summary>
    private void OnAppended(string topic, int partition, int bytes)
    {
        try
        {
            runtime.Partitioner.OnAppended(topic, partition, bytes);
        }
        catch (Exception e)
        {
            runtime.OnUserCodeError(e);
        }
    }

    /// <summary>A batch buffer is batch.size bytes, or larger for a record that needs it (Java's allocation rule).</summary>
    public int BufferSizeFor(in PreparedRecord prepared) => Math.Max(_batchSize, prepared.SizeUpperBound);

    /// <summary>
    /// The outcome of a record that failed before reaching a batch (the catch blocks of Java's doSend), for
    /// every front end: counted in record-error-total, shown to the interceptors' OnAcknowledgement, and
    /// reported through its callback, task or reply (<paramref name="completion"/>; null when the error is
    /// thrown to the caller instead). Any thread.
    /// </summary>
    public void FailUnbatched(ProducerRecord<TKey, TValue> record, int partition, object? completion, Exception error)
    {
        // Java's doSend: a broker-side refusal of a record (timeout, too large, unknown topic) fails its transaction
        // too, so the commit cannot silently leave it out.
        if (error is ApiException && runtime.Transactions is { } transactions) transactions.TryEnterAbortableError(error);
        runtime.Metrics.RecordError(1);
        runtime.Interceptors.OnSendError(record, partition, error);
        DeliveryCompletion.Complete(completion, new RecordMetadata(record.Topic, partition, RecordMetadata.UnknownOffset, -1, -1, -1),
            error, null, runtime.OnCallbackError);
    }
}

/// <summary>
/// A sending thread's scratch buffers for the serialized key and value, one pair per key and value types, as before the
/// raw-bytes path: a record's bytes stay in them until appended, so a serializer or partitioner sending on a producer of
/// other types must not share them. Owned by that thread (thread-static).
/// </summary>
internal sealed class SerializationScratch<TKey, TValue>
{
    [ThreadStatic] private static SerializationScratch<TKey, TValue>? _current;

    /// <summary>This thread's scratch buffers (raw byte keys and values need none).</summary>
    public static SerializationScratch<TKey, TValue> ForThisThread => _current ??= new SerializationScratch<TKey, TValue>();

    public readonly PooledBufferWriter Key = new(256);
    public readonly PooledBufferWriter Value = new(1024);
}

/// <summary>What <see cref="SendPipeline{TKey,TValue}.Append"/> did: appended, or a new batch needs memory the caller must wait for.</summary>
internal enum AppendResult
{
    Appended,
    NeedsMemory,
}
