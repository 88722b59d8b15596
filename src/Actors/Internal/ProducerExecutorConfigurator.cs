using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace KafkaActors.Internal;

/// <summary>
/// Akka's factory for <see cref="ProducerExecutor"/>, named by <c>executor</c> in <c>kafka-actors.dispatcher</c> (Akka
/// creates it by that type name, also when a host's config carries reference.conf). It reads the keys the fork-join
/// executor read before, <c>dedicated-thread-pool.thread-count</c> and <c>.threadtype</c>, so existing overrides keep
/// their meaning. With <c>shared-executor = NAME</c> the dispatchers of one ActorSystem that name the same group run on one
/// executor (<see cref="SharedProducerExecutor"/>). Created by Akka once per dispatcher; Produce is called once per life
/// of the dispatcher. Thread-safe (immutable).
/// </summary>
internal sealed class ProducerExecutorConfigurator : ExecutorServiceConfigurator
{
    private readonly int _threadCount;
    private readonly bool _background;
    private readonly string _sharedExecutor;

    public ProducerExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites) : base(config, prerequisites)
    {
        var threads = config.GetConfig("dedicated-thread-pool");
        _threadCount = Math.Max(1, threads.GetInt("thread-count", 2));
        _background = !string.Equals(threads.GetString("threadtype", "background"), "foreground", StringComparison.OrdinalIgnoreCase);
        _sharedExecutor = config.GetString("shared-executor", "");
    }

    public override ExecutorService Produce(string id) =>
        string.IsNullOrEmpty(_sharedExecutor)
            ? Start(id)
            : SharedProducerExecutor.Acquire(Prerequisites.Settings, _sharedExecutor, id, () => Start(_sharedExecutor));

    private ProducerExecutor Start(string id) =>
        new(id, _threadCount, _background,
            e => Prerequisites.EventStream.Publish(new Error(e, id, typeof(ProducerExecutor), "A mailbox run threw outside its actor.")));
}
