using System.Buffers;
using System.Text;
using KafkaActors.Interceptors;
using KafkaActors.Protocol.Compression;
using KafkaActors.Protocol.Primitives;
using KafkaActors.Protocol.Records;

namespace KafkaActors.Accumulator;

/// <summary>
/// Records for one partition, written as a RecordBatch v2 straight into a buffer from the
/// <see cref="BufferPool"/> (Java's <c>ProducerBatch</c>).
///
/// Ownership: while open it belongs to its <see cref="PartitionAccumulator"/> and is appended to only
/// under that accumulator's lock; once sealed it belongs to the partition actor (handed over by a
/// BatchSealed message, or taken when it has lingered), which lends its payload (read-only) to a connection
/// for each attempt. Its buffer is a <see cref="BufferLease"/>. It completes exactly once, then releases its
/// memory once no write can read it any more; or, refused as too large, it is split (<see cref="Split"/>) and its
/// records complete with the new batches. Not thread-safe.
/// </summary>
internal sealed class ProducerBatch
{
    private readonly RecordBatchBuilder _builder = new();
    // Made when first asked for (Completion: a flush, or a split's pieces): most batches are never awaited.
    private TaskCompletionSource? _done;
    private int _untracked; // 1 once complete and released (Untracked): Completion is then complete
    private readonly RecordAccumulator _owner;
    private readonly BufferLease _lease;
    private RecordThunk[] _records;
    private PooledBufferWriter? _compressed;
    private int _state; // 0 open, 1 closed, 2 done
    private bool _headerWritten;
    private readonly int _limit;
    private CompressionType _compression;

    public ProducerBatch(TopicPartition topicPartition, long ordinal, byte[] buffer, int limit, RecordAccumulator owner, long nowMs,
        int expectedRecords = 16, int splitOffset = 0)
    {
        TopicPartition = topicPartition;
        Ordinal = ordinal;
        SplitOffset = splitOffset;
        CreatedMs = nowMs;
        _owner = owner;
        _lease = new BufferLease(buffer, owner.Pool);
        _limit = limit;
        _builder.Reset(buffer, limit);
        // Sized for the batch from its first record: growing by doubling would rent (and copy) a dozen arrays per batch.
        _records = owner.RecordThunkPool.Rent(Math.Clamp(expectedRecords, 16, 1 << 20));
    }

    public TopicPartition TopicPartition { get; }

    /// <summary>Creation order within the partition; retries are re-sent in this order.</summary>
    public long Ordinal { get; }

    /// <summary>
    /// 0, or for a batch split from a bigger one (which had the same <see cref="Ordinal"/>): where its first record was in
    /// the batch first created. Orders the pieces of one split batch among themselves, however often they are split again.
    /// </summary>
    public int SplitOffset { get; }

    /// <summary>Goes before <paramref name="other"/>: batches leave in creation order, and the pieces of a split one in record order.</summary>
    public bool Precedes(ProducerBatch other) => Ordinal != other.Ordinal ? Ordinal < other.Ordinal : SplitOffset < other.SplitOffset;

    public long CreatedMs { get; }
    public int RecordCount => _builder.RecordCount;
    public int UncompressedBytes => _builder.SizeInBytes;

    /// <summary>The largest record appended, in bytes as encoded in the batch (for record-size-max).</summary>
    public int MaxRecordSize { get; private set; }
    public bool IsClosed => _state >= 1;
    public bool IsDone => _state == 2;

    /// <summary>Set when the next record is unlikely to fit: the batch should be sent without lingering.</summary>
    public bool IsFull { get; private set; }

    public int Attempts { get; set; }

    /// <summary>
    /// True while a connection holds the batch's bytes (from the send until its result comes back). A
    /// batch completed meanwhile (expired, aborted) keeps its memory until then: recycling the buffer
    /// under a pending socket write would send another batch's bytes.
    /// </summary>
    public bool Lent { get; private set; }

    private bool _releasePending;

    /// <summary>Partition actor, at each send: the payload goes to a connection, read-only, until <see cref="Return"/>.</summary>
    public void Lend()
    {
        Lent = true;
        if (_compressed is null) _lease.Lend();
    }

    /// <summary>
    /// Partition actor: the connection gave the bytes back, with its result. <paramref name="writeConfirmed"/>
    /// is false when the socket died before the request was answered (acks=0: before Akka.IO acknowledged the write): the socket (or the TLS transport,
    /// which copies a write only when its turn comes) may still be reading the payload, so that array is never
    /// recycled nor rewritten. A retry gets a copy in a fresh array; a completed batch abandons it.
    /// </summary>
    public void Return(bool writeConfirmed = true)
    {
        Lent = false;
        if (!writeConfirmed) LeavePayloadToTheSocket();
        else if (_compressed is null) _lease.Return();
        if (_releasePending) Release();
    }

    private void LeavePayloadToTheSocket()
    {
        var count = Payload.Count;
        if (_compressed is { } compressed)
        {
            // The compressed bytes live in an ArrayPool array: drop it undisposed; the records' lease was never lent.
            _compressed = null;
            if (_state == 2) return;
            var copy = new PooledBufferWriter(count);
            compressed.WrittenSpan[..count].CopyTo(copy.GetSpan(count));
            copy.Advance(count);
            _compressed = copy;
            Payload = new ArraySegment<byte>(copy.Buffer, 0, count);
            return;
        }
        if (_state == 2)
        {
            _lease.Abandon();
            return;
        }
        _lease.MoveToFreshBuffer(count);
        Payload = new ArraySegment<byte>(_lease.Buffer, 0, count);
    }

    /// <summary>How often the broker answered UNKNOWN_PRODUCER_ID for this batch (the second time bumps the epoch).</summary>
    public int UnknownProducerIdCount { get; set; }
    public long LastAttemptMs { get; set; }

    /// <summary>Sequence of the first record (idempotence), -1 until assigned at the first send.</summary>
    public int BaseSequence { get; private set; } = -1;
    public long ProducerId { get; private set; } = -1;
    public short ProducerEpoch { get; private set; } = -1;

    /// <summary>The bytes to send (header + records, compressed or not); valid once closed.</summary>
    public ArraySegment<byte> Payload { get; private set; }

    /// <summary>
    /// Completes once the batch is complete and its memory released. Any thread may ask, while the partition actor
    /// completes the batch: each side writes its flag with a full fence, then reads the other's, so at least one of them
    /// sees both and completes the task.
    /// </summary>
    public Task Completion
    {
        get
        {
            if (Volatile.Read(ref _untracked) == 1) return Task.CompletedTask;
            var done = Volatile.Read(ref _done);
            if (done is null)
            {
                var made = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                done = Interlocked.CompareExchange(ref _done, made, null) ?? made;
            }
            if (Volatile.Read(ref _untracked) == 1) done.TrySetResult();
            return done.Task;
        }
    }

    /// <summary>Links of the producer's <see cref="IncompleteBatches"/>, which alone reads and writes them (under its lock).</summary>
    internal ProducerBatch? IncompletePrevious { get; set; }

    /// <inheritdoc cref="IncompletePrevious"/>
    internal ProducerBatch? IncompleteNext { get; set; }

    /// <inheritdoc cref="IncompletePrevious"/>
    internal bool IsIncompleteTracked { get; set; }

    /// <summary>Appends a record; false when it does not fit (nothing written). Caller holds the accumulator's lock.</summary>
    public bool TryAppend(long timestamp, ReadOnlySpan<byte> key, int keyLength, ReadOnlySpan<byte> value, int valueLength,
        ReadOnlySpan<RecordHeader> headers, object? completion)
    {
        var before = _builder.SizeInBytes;
        if (!_builder.TryAppend(timestamp, key, keyLength, value, valueLength, headers)) return false;

        var index = _builder.RecordCount - 1;
        if (index == _records.Length) Grow();
        _records[index] = new RecordThunk(completion, timestamp, keyLength, valueLength);

        // Same-sized records are the common case: if another one like this would not fit, we are full.
        var size = _builder.SizeInBytes - before;
        if (size > MaxRecordSize) MaxRecordSize = size;
        if (_limit - _builder.SizeInBytes < size) IsFull = true;
        return true;
    }

    /// <summary>Stops appends. Caller holds the accumulator's lock; the costly part waits for <see cref="BuildPayload"/>.</summary>
    public void Seal()
    {
        if (_state == 0) _state = 1;
    }

    /// <summary>Partition actor, once per batch: the bytes to send, compressing the records section when a codec is set.</summary>
    public void BuildPayload(CompressionType compression, int level)
    {
        if (Payload.Array is not null) return;
        if (compression == CompressionType.None)
        {
            Payload = new ArraySegment<byte>(_lease.Buffer, 0, _builder.SizeInBytes);
            _compression = CompressionType.None;
            return;
        }
        var output = new PooledBufferWriter(Math.Max(256, _builder.SizeInBytes / 2), _owner.CompressionPool);
        output.GetSpan(RecordBatchLayout.HeaderSize);
        output.Advance(RecordBatchLayout.HeaderSize);
        CompressionCodecs.Compress(compression, level, _builder.Records, output);
        _compressed = output;
        _compression = compression;
        Payload = new ArraySegment<byte>(output.Buffer, 0, output.WrittenCount);
    }

    /// <summary>
    /// Writes the header (producer id, epoch, base sequence, CRC) before an attempt. A retry keeps the
    /// same bytes; only a changed producer state (epoch bump) rewrites them.
    /// </summary>
    public void PrepareForSend(long producerId, short producerEpoch, int baseSequence)
    {
        if (_headerWritten && producerId == ProducerId && producerEpoch == ProducerEpoch && baseSequence == BaseSequence) return;
        ProducerId = producerId;
        ProducerEpoch = producerEpoch;
        BaseSequence = baseSequence;
        RecordBatchHeader.Write(Payload.AsSpan(), _compression, _owner.Settings.IsTransactional, _builder.RecordCount, _builder.BaseTimestamp,
            _builder.MaxTimestamp, producerId, producerEpoch, baseSequence);
        _headerWritten = true;
    }

    /// <summary>Forgets the sequence so the next attempt gets a new one (after an epoch bump).</summary>
    public void ResetSequence() => BaseSequence = -1;

    /// <summary>
    /// Partition actor, for a batch split from a sequenced one: its share of that batch's sequences, under the same producer
    /// id and epoch (Java's <c>setProducerState</c> in <c>split</c>). The header is written at its first send.
    /// </summary>
    public void AssignSequence(long producerId, short producerEpoch, int baseSequence)
    {
        ProducerId = producerId;
        ProducerEpoch = producerEpoch;
        BaseSequence = baseSequence;
    }

    /// <summary>
    /// Java's <c>ProducerBatch.split</c>, for a batch the broker refused as too large: its records again, in order, in new
    /// batches of at most <paramref name="splitBatchSize"/> bytes (a record bigger than that goes alone), each record with its
    /// own completion. The new batches keep this batch's <see cref="Ordinal"/> and creation time (the delivery timeout runs
    /// on), take their memory with <see cref="BufferPool.AllocateForSplit"/> (a partition actor must not wait for memory) and
    /// are tracked for flush. This batch then gives its memory back without completing any record, but stays tracked, and its
    /// <see cref="Completion"/> (which a flush may await) completes once all the new batches have. Partition actor, on a
    /// closed batch back from its connection.
    /// </summary>
    public List<ProducerBatch> Split(int splitBatchSize)
    {
        if (_state != 1 || Lent) throw new InvalidOperationException($"Only a closed batch that is not lent can be split ({this}).");
        var count = _builder.RecordCount;
        var pieces = new List<ProducerBatch>();
        var reader = new ProtocolReader(_builder.Records);
        ProducerBatch? piece = null;
        for (var i = 0; i < count; i++)
        {
            // RecordBatchBuilder's layout; the timestamp is the thunk's, the offset delta is renumbered by the new batch.
            reader.ReadVarint(); // length
            reader.ReadInt8(); // attributes
            reader.ReadVarlong(); // timestamp delta
            reader.ReadVarint(); // offset delta
            var keyLength = reader.ReadVarint();
            var key = keyLength < 0 ? ReadOnlySpan<byte>.Empty : reader.ReadRaw(keyLength);
            var valueLength = reader.ReadVarint();
            var value = valueLength < 0 ? ReadOnlySpan<byte>.Empty : reader.ReadRaw(valueLength);
            var headers = ReadHeaders(ref reader);
            var thunk = _records[i];
            if (piece is null || !piece.TryAppend(thunk.Timestamp, key, keyLength, value, valueLength, headers, thunk.Completion))
            {
                if (piece is not null) pieces.Add(piece);
                var size = Math.Max(splitBatchSize, RecordBatchBuilder.EstimateSizeUpperBound(keyLength, valueLength, headers));
                piece = new ProducerBatch(TopicPartition, Ordinal, _owner.Pool.AllocateForSplit(size), size, _owner, CreatedMs, count - i, SplitOffset + i);
                if (!piece.TryAppend(thunk.Timestamp, key, keyLength, value, valueLength, headers, thunk.Completion))
                    throw new InvalidOperationException("A record did not fit in a batch sized for it.");
                _owner.Track(piece);
            }
            if (piece.UncompressedBytes > splitBatchSize)
            {
                // Only a first record gets here (later ones must fit): alone, so each split makes progress down to single records.
                pieces.Add(piece);
                piece = null;
            }
        }
        if (piece is not null) pieces.Add(piece);
        foreach (var p in pieces) p.Seal();

        _state = 2;
        Array.Clear(_records, 0, count); // the completions live on in the new batches
        ReleaseMemory();
        Task.WhenAll(pieces.Select(p => p.Completion)).ContinueWith(static (_, state) => ((ProducerBatch)state!).Untracked(), this,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return pieces;
    }

    private static RecordHeader[] ReadHeaders(ref ProtocolReader reader)
    {
        var count = reader.ReadVarint();
        if (count == 0) return [];
        var headers = new RecordHeader[count];
        for (var h = 0; h < count; h++)
        {
            var key = Encoding.UTF8.GetString(reader.ReadRaw(reader.ReadVarint()));
            var valueLength = reader.ReadVarint();
            headers[h] = new RecordHeader(key, valueLength < 0 ? null : reader.ReadRaw(valueLength).ToArray());
        }
        return headers;
    }

    /// <summary>Successful outcome: each record gets its offset (unknown when baseOffset is -1) and timestamp.</summary>
    public void Complete(long baseOffset, long logAppendTime, IAcknowledgementInterceptor? interceptor, Action<Exception> onCallbackError) =>
        Finish(baseOffset, logAppendTime, null, interceptor, onCallbackError);

    /// <summary>Failed outcome: every record gets the exception.</summary>
    public void Fail(Exception exception, IAcknowledgementInterceptor? interceptor, Action<Exception> onCallbackError) =>
        Finish(-1, -1, exception, interceptor, onCallbackError);

    /// <summary>
    /// Failed outcome with an exception per record (Java's <c>completeExceptionally(topLevelException, recordExceptions)</c>):
    /// record <c>i</c> of the batch gets <c>recordExceptions(i)</c>.
    /// </summary>
    public void Fail(Func<int, Exception> recordExceptions, IAcknowledgementInterceptor? interceptor, Action<Exception> onCallbackError) =>
        Finish(-1, -1, null, interceptor, onCallbackError, recordExceptions);

    /// <summary>Reports every record's outcome, in order, exactly once; then frees the memory (once the connection gave it back).</summary>
    private void Finish(long baseOffset, long logAppendTime, Exception? exception, IAcknowledgementInterceptor? interceptor, Action<Exception> onCallbackError,
        Func<int, Exception>? recordExceptions = null)
    {
        if (_state == 2) return;
        _state = 2;
        var topic = TopicPartition.Topic;
        var partition = TopicPartition.Partition;
        var records = _records.AsSpan(0, _builder.RecordCount);
        // The batch callback whose run of records is open: one loop on one thread, so its records complete at one instant.
        var run = default(BatchRun);
        for (var i = 0; i < records.Length; i++)
        {
            ref readonly var r = ref records[i];
            var metadata = new RecordMetadata(topic, partition, baseOffset < 0 ? RecordMetadata.UnknownOffset : baseOffset + i,
                logAppendTime >= 0 ? logAppendTime : r.Timestamp, r.KeySize, r.ValueSize);
            DeliveryCompletion.Complete(r.Completion, metadata, r.Timestamp, recordExceptions?.Invoke(i) ?? exception, interceptor, onCallbackError, ref run);
        }
        DeliveryCompletion.EndRun(ref run, onCallbackError);
        ReleaseWhenReturned();
    }

    private void ReleaseWhenReturned()
    {
        Array.Clear(_records, 0, _builder.RecordCount); // drop references to user callbacks now
        if (Lent) _releasePending = true;
        else Release();
    }

    private void Release()
    {
        ReleaseMemory();
        Untracked();
    }

    private void ReleaseMemory()
    {
        _releasePending = false;
        _owner.RecordThunkPool.Return(_records);
        _records = [];
        _compressed?.Dispose();
        _compressed = null;
        Payload = default;
        _lease.Release(); // abandoned already when its last write was of unknown fate
    }

    private void Untracked()
    {
        _owner.Untrack(this);
        Interlocked.Exchange(ref _untracked, 1);
        Volatile.Read(ref _done)?.TrySetResult();
    }

    private void Grow()
    {
        var bigger = _owner.RecordThunkPool.Rent(_records.Length * 2);
        Array.Copy(_records, bigger, _records.Length);
        Array.Clear(_records);
        _owner.RecordThunkPool.Return(_records);
        _records = bigger;
    }

    public override string ToString() =>
        $"ProducerBatch({TopicPartition}, #{Ordinal}{(SplitOffset > 0 ? $"+{SplitOffset}" : "")}, {RecordCount} records, seq {BaseSequence})";

    /// <summary>What a record's outcome needs besides the broker's answer (internal for <see cref="RecordAccumulator.RecordThunkPool"/>).</summary>
    internal readonly record struct RecordThunk(object? Completion, long Timestamp, int KeySize, int ValueSize);
}
