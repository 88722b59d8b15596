using KafkaActors.Protocol.Messages;

namespace KafkaActors.Network;

/// <summary>
/// Batches waiting for a Produce request on one connection, per partition in arrival order.
/// A request takes at most one batch per partition (brokers reject more from Produce v3 on),
/// visiting partitions round-robin so a busy partition cannot starve the others. Only partitions with a batch
/// waiting have a queue (an emptied one goes back to a few spares), and the tables shrink when nothing waits: a
/// connection to a broker leading thousands of partitions holds nothing for the idle ones. Owned by one
/// ConnectionActor; not thread-safe.
/// </summary>
internal sealed class PendingProduceQueue
{
    private const int SpareQueues = 64;
    private const int TrimAbove = 256;
    private readonly Dictionary<TopicPartition, Queue<ConnectionActor.SendBatch>> _byPartition = new();
    private readonly Queue<TopicPartition> _ready = new();
    private readonly Stack<Queue<ConnectionActor.SendBatch>> _spare = new();

    public int Count { get; private set; }

    public void Enqueue(ConnectionActor.SendBatch produce)
    {
        var tp = produce.Batch.TopicPartition;
        if (!_byPartition.TryGetValue(tp, out var queue))
            _byPartition[tp] = queue = _spare.TryPop(out var spare) ? spare : new Queue<ConnectionActor.SendBatch>();
        if (queue.Count == 0) _ready.Enqueue(tp);
        queue.Enqueue(produce);
        Count++;
    }

    /// <summary>
    /// Takes the next request's worth into <paramref name="taken"/> (empty; the request's own list): one batch from
    /// each partition in turn while the request stays within <paramref name="maxRequestSize"/> (a single batch
    /// always goes, even a larger one).
    /// </summary>
    public void TakeRequest(int maxRequestSize, List<ConnectionActor.SendBatch> taken)
    {
        var size = 0;
        var visits = _ready.Count;
        for (var i = 0; i < visits; i++)
        {
            var tp = _ready.Peek();
            var queue = _byPartition[tp];
            var batchBytes = queue.Peek().Batch.Payload.Count + tp.Topic.Length + 16; // + per-partition framing
            if (taken.Count > 0 && size + batchBytes > maxRequestSize) break;
            _ready.Dequeue();
            taken.Add(queue.Dequeue());
            Count--;
            size += batchBytes;
            if (queue.Count > 0) _ready.Enqueue(tp);
            else Release(tp, queue);
        }
        if (Count == 0) Trim();
        // The wire format nests partitions under topics: keep each topic's partitions together.
        taken.Sort(static (a, b) =>
        {
            var byTopic = string.CompareOrdinal(a.Batch.TopicPartition.Topic, b.Batch.TopicPartition.Topic);
            return byTopic != 0 ? byTopic : a.Batch.TopicPartition.Partition.CompareTo(b.Batch.TopicPartition.Partition);
        });
    }

    /// <summary>Everything still waiting (the connection failed).</summary>
    public List<ConnectionActor.SendBatch> TakeAll()
    {
        var all = new List<ConnectionActor.SendBatch>(Count);
        foreach (var queue in _byPartition.Values)
        {
            all.AddRange(queue);
            queue.Clear();
            if (_spare.Count < SpareQueues) _spare.Push(queue);
        }
        _byPartition.Clear();
        _ready.Clear();
        Count = 0;
        Trim();
        return all;
    }

    private void Release(TopicPartition tp, Queue<ConnectionActor.SendBatch> queue)
    {
        _byPartition.Remove(tp);
        if (_spare.Count < SpareQueues) _spare.Push(queue);
    }

    /// <summary>Nothing waits: tables grown for a burst over many partitions go back to a small size.</summary>
    private void Trim()
    {
        if (_byPartition.Capacity <= TrimAbove) return;
        _byPartition.TrimExcess();
        _ready.TrimExcess();
    }

    public static ProducePartitionData ToPartitionData(ConnectionActor.SendBatch produce) =>
        new(produce.Batch.TopicPartition.Topic, produce.Batch.TopicPartition.Partition, produce.Batch.Payload);
}
