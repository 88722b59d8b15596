using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace KafkaActors.Internal;

/// <summary>
/// The mailbox of partition actors: unbounded, like Akka's default, but small while empty. Akka's default queue is
/// a ConcurrentQueue whose first segment alone takes ~1 KB; a producer has one partition actor per partition it sends
/// to, so at 100 producers × 10,000 partitions that was a gigabyte of empty mailboxes. This one is a Queue guarded by a
/// lock (one short critical section per message; partition actors get a few messages per batch, not per record), which
/// starts at four slots and is trimmed when it empties after a burst. Created by Akka from its config id
/// <see cref="Id"/>, which <see cref="ProducerDispatcher.EnsureRegistered"/> adds to a system that lacks it.
/// </summary>
internal sealed class CompactMailbox(Akka.Actor.Settings settings, Config config) : MailboxType(settings, config), IProducesMessageQueue<CompactMailbox.MessageQueue>
{
    public const string Id = "kafka-actors.partition-mailbox";

    public static Config Registration => ConfigurationFactory.ParseString(
        $"{Id}.mailbox-type = \"{typeof(CompactMailbox).FullName}, {typeof(CompactMailbox).Assembly.GetName().Name}\"");

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new MessageQueue();

    /// <summary>One actor's queue. Thread-safe: senders enqueue from any thread; the actor's run dequeues. Guarded by <c>_queue</c>.</summary>
    internal sealed class MessageQueue : IMessageQueue, IUnboundedMessageQueueSemantics
    {
        private const int TrimAbove = 8;
        private readonly Queue<Envelope> _queue = new(4);
        private int _peak;

        public bool HasMessages
        {
            get { lock (_queue) return _queue.Count > 0; }
        }

        public int Count
        {
            get { lock (_queue) return _queue.Count; }
        }

        public void Enqueue(IActorRef receiver, Envelope envelope)
        {
            lock (_queue)
            {
                _queue.Enqueue(envelope);
                if (_queue.Count > _peak) _peak = _queue.Count;
            }
        }

        public bool TryDequeue(out Envelope envelope)
        {
            lock (_queue)
            {
                if (_queue.TryDequeue(out envelope)) return true;
                if (_peak > TrimAbove)
                {
                    _queue.TrimExcess(); // empty after a burst: give the grown array back
                    _peak = 0;
                }
                return false;
            }
        }

        public void CleanUp(IActorRef owner, IMessageQueue deadletters)
        {
            while (TryDequeue(out var envelope)) deadletters.Enqueue(owner, envelope);
        }
    }
}
