namespace KafkaActors.Accumulator;

/// <summary>
/// Every batch of one producer not yet complete (Java's <c>IncompleteBatches</c>): what flush waits for, and what a
/// stopping partition actor fails if it never reached it. The batches are linked through themselves
/// (<see cref="ProducerBatch.IncompletePrevious"/>/<see cref="ProducerBatch.IncompleteNext"/>), so tracking one, once per
/// batch on the send path, allocates nothing.
///
/// Owned by the producer's <see cref="RecordAccumulator"/>; added to by appenders and split batches, removed from by
/// completing batches. Thread-safe: the list and the batches' links are guarded by <c>_lock</c>.
/// </summary>
internal sealed class IncompleteBatches
{
    private readonly object _lock = new();
    private ProducerBatch? _head;
    private ProducerBatch? _tail;
    private int _count;

    public int Count
    {
        get { lock (_lock) return _count; }
    }

    /// <summary>Adds <paramref name="batch"/>; one already here stays as it is.</summary>
    public void Add(ProducerBatch batch)
    {
        lock (_lock)
        {
            if (batch.IsIncompleteTracked) return;
            batch.IsIncompleteTracked = true;
            batch.IncompletePrevious = _tail;
            if (_tail is not null) _tail.IncompleteNext = batch;
            else _head = batch;
            _tail = batch;
            _count++;
        }
    }

    /// <summary>Removes <paramref name="batch"/>, if here.</summary>
    public void Remove(ProducerBatch batch)
    {
        lock (_lock)
        {
            if (!batch.IsIncompleteTracked) return;
            batch.IsIncompleteTracked = false;
            if (batch.IncompletePrevious is { } previous) previous.IncompleteNext = batch.IncompleteNext;
            else _head = batch.IncompleteNext;
            if (batch.IncompleteNext is { } next) next.IncompletePrevious = batch.IncompletePrevious;
            else _tail = batch.IncompletePrevious;
            batch.IncompletePrevious = batch.IncompleteNext = null;
            _count--;
        }
    }

    /// <summary>The batches here now, oldest first (a copy: flush and close, not the send path).</summary>
    public List<ProducerBatch> Snapshot()
    {
        lock (_lock)
        {
            var batches = new List<ProducerBatch>(_count);
            for (var batch = _head; batch is not null; batch = batch.IncompleteNext) batches.Add(batch);
            return batches;
        }
    }
}
