using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace KafkaActors.Internal;

/// <summary>
/// Akka's factory for <see cref="ProducerExecutor"/>, named by <c>executor</c> in <c>kafka-actors.dispatcher</c> (Akka
/// creates it by that type name, also when a host's config carries reference.conf). It reads the keys the fork-join
/// executor read before, <c>dedicated-thread-pool.thread-count</c> and <c>.threadtype</c>, so existing overrides keep
/// their meaning. Created by Akka once per dispatcher; Produce is called once per life of the dispatcher. Thread-safe
/// (immutable).
/// </summary>
internal sealed class ProducerExecutorConfigurator : ExecutorServiceConfigurator
{
    private readonly int _threadCount;
    private readonly bool _background;

    public ProducerExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites) : base(config, prerequisites)
    {
        var threads = config.GetConfig("dedicated-thread-pool");
        _threadCount = Math.Max(1, threads.GetInt("thread-count", 2));
        _background = !string.Equals(threads.GetString("threadtype", "background"), "foreground", StringComparison.OrdinalIgnoreCase);
    }

    public override ExecutorService Produce(string id) =>
        new ProducerExecutor(id, _threadCount, _background,
            e => Prerequisites.EventStream.Publish(new Error(e, id, typeof(ProducerExecutor), "A mailbox run threw outside its actor.")));
}
