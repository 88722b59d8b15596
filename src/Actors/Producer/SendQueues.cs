using Akka.Actor;
using KafkaActors.Accumulator;
using KafkaActors.Errors;
using static KafkaActors.Producer.ProducerActorMessages;

namespace KafkaActors.Producer;

/// <summary>What <see cref="SendQueues{TKey,TValue}"/> asks about topics and their metadata; the ProducerActor's <see cref="TopicRoutes"/> answers.</summary>
internal interface ITopicRouting
{
    /// <summary>Why a topic can never be routed now (authorization, invalid name, failed authentication), or null to keep waiting.</summary>
    Exception? RouteRefusal(string topic);

    /// <summary>
    /// Asks the MetadataActor for the topic's route, bounded by <paramref name="deadlineMs"/> (max.block.ms): it completes once
    /// the route is published, or fails at the deadline (KafkaTimeoutException naming the topic) or when the topic is refused.
    /// </summary>
    Task<TopicRoute> AwaitRoute(string topic, long deadlineMs);

    /// <summary>Starts fetching the topic's metadata, unless already done.</summary>
    void UseTopic(string topic);
}

/// <summary>
/// The ProducerActor's handler for records that wait (told ones, and facade ones that found no metadata or
/// no memory): one FIFO queue per topic, so a record waits only behind earlier records of its own topic,
/// which keeps per-partition order while other topics flow. A queue's head waits for its topic's route, by an
/// Ask to the MetadataActor bounded by its max.block.ms deadline, or for a buffer; memory granted to a head
/// that then fails goes back to the pool, never to the next head. Owned by the actor: not thread-safe (items themselves are, see
/// <see cref="WaitingSend{TKey,TValue}"/>).
/// </summary>
internal sealed class SendQueues<TKey, TValue>(ProducerRuntime<TKey, TValue> runtime, ITopicRouting routing, IActorRef self)
{
    /// <summary>One topic's waiting records; kept while the topic is routed, so steady Tell traffic allocates no queues.</summary>
    private sealed class TopicQueue(string topic)
    {
        public string Topic { get; } = topic;
        public Queue<WaitingSend<TKey, TValue>> Items { get; } = new();
        public long MemoryRequest { get; set; } // id of the head's outstanding memory wait; 0 when none
        public long RouteRequest { get; set; } // id of the head's outstanding route wait; 0 when none
        public bool Waiting => MemoryRequest != 0 || RouteRequest != 0;
        public byte[]? Granted { get; set; }
    }

    private readonly Dictionary<string, TopicQueue> _queues = new(StringComparer.Ordinal);
    private long _memoryRequests;
    private long _routeRequests;

    /// <summary>Records waiting, over all topics (the Tell protocol's BufferFull measure).</summary>
    public int Count { get; private set; }

    private RecordAccumulator Accumulator => runtime.Accumulator;

    /// <summary>Appends the record now if its topic's queue is empty and it can; else queues it behind its topic's earlier records.</summary>
    public void Add(WaitingSend<TKey, TValue> item)
    {
        var topic = item.Record!.Topic;
        if (!_queues.TryGetValue(topic, out var queue)) _queues[topic] = queue = new TopicQueue(topic);
        queue.Items.Enqueue(item);
        Count++;
        if (queue.Items.Count == 1) Process(queue);
    }

    /// <summary>
    /// A Flush: answered (with <see cref="Flushed"/>, or <paramref name="reply"/>) once every record waiting now is
    /// appended or failed, and the accumulator then flushed. When the waiting records are failed instead (abort, stop),
    /// a plain flush fails; one that <paramref name="survivesFailure"/> (a transaction's) still flushes and answers.
    /// </summary>
    public void Flush(IActorRef replyTo, object? reply = null, bool survivesFailure = false)
    {
        var waiting = _queues.Values.Where(q => q.Items.Count > 0).ToList();
        var barrier = new FlushBarrier(replyTo, waiting.Count, reply ?? Flushed.Instance, survivesFailure);
        if (waiting.Count == 0)
        {
            Complete(barrier);
            return;
        }
        foreach (var queue in waiting) queue.Items.Enqueue(WaitingSend<TKey, TValue>.MarkerOf(barrier));
    }

    /// <summary>Metadata or the producer's state changed: every queue whose head waits for nothing tries again.</summary>
    public void ProcessAll()
    {
        foreach (var queue in _queues.Values.ToArray()) // rare (metadata updates): Process may drop a queue
            if (queue.Items.Count > 0 && !queue.Waiting) Process(queue);
    }

    /// <summary>The MetadataActor answered a head's route wait: its route is published.</summary>
    public void OnRouteReady(RouteReady ready)
    {
        if (!_queues.TryGetValue(ready.Topic, out var queue) || queue.RouteRequest != ready.RequestId) return;
        queue.RouteRequest = 0;
        Process(queue);
    }

    /// <summary>A head's route wait failed: the head fails with it (max.block.ms, a refused topic); the next head tries on its own.</summary>
    public void OnRouteDenied(RouteDenied denied)
    {
        if (!_queues.TryGetValue(denied.Topic, out var queue) || queue.RouteRequest != denied.RequestId) return;
        queue.RouteRequest = 0;
        if (queue.Items.TryPeek(out var head) && !head.IsMarker)
        {
            var cause = denied.Cause is AggregateException { InnerException: { } inner } ? inner : denied.Cause;
            lock (head)
            {
                if (!head.IsCancelled)
                    Fail(head, cause is AskTimeoutException
                        ? new KafkaTimeoutException($"Topic {denied.Topic} not present in metadata after {runtime.Settings.MaxBlockMs} ms.", cause)
                        : cause as KafkaException ?? new KafkaException(cause.Message, cause));
            }
            Dequeue(queue);
        }
        Process(queue);
    }

    public void OnMemoryGranted(MemoryGranted granted)
    {
        if (!_queues.TryGetValue(granted.Topic, out var queue) || queue.MemoryRequest != granted.RequestId)
        {
            Accumulator.Pool.Deallocate(granted.Buffer); // its record is gone (failed by an abort)
            return;
        }
        queue.MemoryRequest = 0;
        queue.Granted = granted.Buffer;
        Process(queue);
    }

    public void OnMemoryDenied(MemoryDenied denied)
    {
        if (!_queues.TryGetValue(denied.Topic, out var queue) || queue.MemoryRequest != denied.RequestId) return;
        queue.MemoryRequest = 0;
        // A cancelled head was already reported; else the wait timed out (or failed) for the head.
        if (queue.Items.TryPeek(out var head) && !head.IsMarker)
        {
            lock (head)
            {
                // The token's callbacks run newest first: the pool's wait may end before the item learns it was cancelled.
                if (!head.IsCancelled)
                    Fail(head, denied.Cause is OperationCanceledException && head.Cancellation.IsCancellationRequested
                        ? WaitingSend<TKey, TValue>.CancelledWhileWaiting(denied.Cause)
                        : denied.Cause as KafkaException ?? new KafkaException(denied.Cause.Message, denied.Cause));
            }
            Dequeue(queue);
        }
        Process(queue);
    }

    private void Complete(FlushBarrier barrier)
    {
        var reply = barrier.Reply;
        Flusher.FlushAsync(Accumulator).PipeTo(barrier.ReplyTo, success: () => reply);
    }

    /// <summary>Abort or stop: every waiting record fails with <paramref name="cause"/>, pending flushes too.</summary>
    public void FailAll(Exception cause)
    {
        foreach (var queue in _queues.Values)
        {
            while (queue.Items.Count > 0)
            {
                var item = queue.Items.Peek();
                if (item.IsMarker)
                {
                    var barrier = item.Barrier!;
                    if (barrier.SurvivesFailure)
                    {
                        if (barrier.Passed()) Complete(barrier);
                    }
                    else if (barrier.Fail()) barrier.ReplyTo.Tell(new Status.Failure(cause));
                }
                else
                {
                    lock (item)
                    {
                        if (!item.IsCancelled) Fail(item, cause);
                    }
                }
                Dequeue(queue);
            }
            queue.MemoryRequest = 0; // a late grant is given back
            queue.RouteRequest = 0; // a late answer is ignored
            Release(queue);
        }
    }

    /// <summary>Sends a queue's records in order until its head has to wait.</summary>
    private void Process(TopicQueue queue)
    {
        while (!queue.Waiting && queue.Items.TryPeek(out var head))
        {
            if (head.IsMarker)
            {
                Dequeue(queue);
                if (head.Barrier!.Passed()) Complete(head.Barrier);
                continue;
            }
            if (!TrySend(queue, head)) return;
            Dequeue(queue);
        }
        if (queue.Items.Count > 0) return;
        Release(queue);
        // Topics without a route (invalid names, refused or unknown topics) must not pile up queues.
        if (!Accumulator.TryGetRoute(queue.Topic, out _)) _queues.Remove(queue.Topic);
    }

    private void Dequeue(TopicQueue queue)
    {
        var item = queue.Items.Dequeue();
        if (item.IsMarker) return;
        Count--;
        if (item.FromFacade) runtime.WaitingSends.Removed(queue.Topic);
        item.Dequeued();
    }

    /// <summary>True when the head is done with (appended, failed or cancelled); false when it must wait.</summary>
    private bool TrySend(TopicQueue queue, WaitingSend<TKey, TValue> item)
    {
        var record = item.Record!;
        var pipeline = runtime.Pipeline;
        lock (item)
        {
            if (item.IsCancelled)
            {
                Release(queue);
                return true;
            }
            var partition = record.Partition ?? -1;
            try
            {
                pipeline.ThrowIfCannotAppend();
                TopicName.Validate(record.Topic);
                if (!Accumulator.TryGetRoute(record.Topic, out var route))
                {
                    if (routing.RouteRefusal(record.Topic) is { } refused) throw refused;
                    routing.UseTopic(record.Topic); // may route it at once, from metadata we already have
                    if (!Accumulator.TryGetRoute(record.Topic, out route))
                    {
                        WaitForRoute(queue, item);
                        return false;
                    }
                }

                pipeline.Prepare(record, route, item.Completion, out var prepared);
                partition = prepared.Partition;
                var granted = queue.Granted;
                queue.Granted = null;
                if (pipeline.Append(record.Topic, ref prepared, item.Completion, granted, out var size) == AppendResult.NeedsMemory)
                {
                    WaitForMemory(queue, item, size);
                    return false;
                }
                item.Finish();
                return true;
            }
            catch (Exception e)
            {
                // Whatever failed (user code or a bug of ours) fails this record only; nobody to throw to here.
                Release(queue);
                Fail(item, e, partition);
                return true;
            }
        }
    }

    private void Fail(WaitingSend<TKey, TValue> item, Exception error, int partition = -2)
    {
        var record = item.Record!;
        item.Finish();
        runtime.Pipeline.FailUnbatched(record, partition == -2 ? record.Partition ?? -1 : partition, item.Completion, error);
    }

    /// <summary>No route yet: the head asks the MetadataActor (which fails it at once when its deadline has passed), without blocking the actor.</summary>
    private void WaitForRoute(TopicQueue queue, WaitingSend<TKey, TValue> head)
    {
        var id = queue.RouteRequest = ++_routeRequests;
        var topic = queue.Topic;
        routing.AwaitRoute(topic, head.DeadlineMs).PipeTo(self,
            success: _ => new RouteReady(topic, id),
            failure: e => new RouteDenied(topic, id, e));
    }

    /// <summary>Memory is out: the head waits (up to its deadline, or until cancelled) without blocking the actor.</summary>
    private void WaitForMemory(TopicQueue queue, WaitingSend<TKey, TValue> head, int size)
    {
        var id = queue.MemoryRequest = ++_memoryRequests;
        var topic = queue.Topic;
        var wait = TimeSpan.FromMilliseconds(Math.Max(0, head.DeadlineMs - MonotonicClock.NowMs));
        Accumulator.Pool.AllocateAsync(size, wait, head.Cancellation).PipeTo(self,
            success: buffer => new MemoryGranted(topic, id, buffer),
            failure: e => new MemoryDenied(topic, id, e));
    }

    /// <summary>Memory granted to a head that is gone goes back to the pool, not to the next head (which may need more).</summary>
    private void Release(TopicQueue queue)
    {
        if (queue.Granted is null) return;
        Accumulator.Pool.Deallocate(queue.Granted);
        queue.Granted = null;
    }
}
