using System.Runtime.CompilerServices;
using Akka.Dispatch;

namespace KafkaActors.Internal;

/// <summary>
/// One dispatcher's share of a <see cref="ProducerExecutor"/> that several dispatchers of one ActorSystem use together
/// (<c>shared-executor</c> in their config): the producer's own systems run Akka's default dispatcher, and with it
/// Akka.IO's connection actors, on the producer's threads, so a request's hops between our connection actor and
/// Akka.IO's stay on threads that are awake or sleep without spinning, instead of waking .NET thread-pool workers that
/// spin before they sleep. The executor starts with its first share (whose config sets the thread count) and shuts
/// down with its last: Akka shuts an idle dispatcher's executor down and asks for a new one when work comes.
/// Made by <see cref="ProducerExecutorConfigurator"/>. Thread-safe: the group's share count is guarded by its lock;
/// <see cref="Shutdown"/> gives a share back once.
/// </summary>
internal sealed class SharedProducerExecutor : ExecutorService
{
    // Per ActorSystem (its Settings object), per group name: a system's dispatchers share only with each other.
    private static readonly ConditionalWeakTable<object, Dictionary<string, Group>> Groups = new();

    private readonly Group _group;
    private readonly ProducerExecutor _executor;
    private int _released;

    private SharedProducerExecutor(string id, Group group, ProducerExecutor executor) : base(id)
    {
        _group = group;
        _executor = executor;
    }

    /// <summary>A share of <paramref name="name"/>'s executor in the system owning <paramref name="systemKey"/>, started by <paramref name="start"/> if none runs.</summary>
    public static SharedProducerExecutor Acquire(object systemKey, string name, string id, Func<ProducerExecutor> start)
    {
        var groups = Groups.GetValue(systemKey, _ => new Dictionary<string, Group>());
        Group group;
        lock (groups)
        {
            if (!groups.TryGetValue(name, out group!)) groups[name] = group = new Group();
        }
        lock (group)
        {
            group.Executor ??= start();
            group.Shares++;
            return new SharedProducerExecutor(id, group, group.Executor);
        }
    }

    public override void Execute(IRunnable run)
    {
        if (Volatile.Read(ref _released) != 0) throw new RejectedExecutionException($"{Id} is shutting down");
        _executor.Execute(run);
    }

    public override void Shutdown()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        lock (_group)
        {
            if (--_group.Shares > 0) return;
            _group.Executor = null;
        }
        _executor.Shutdown();
    }

    /// <summary>The executor the dispatchers of one group share, and how many shares are out.</summary>
    private sealed class Group
    {
        public ProducerExecutor? Executor;
        public int Shares;
    }
}
