using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using KafkaActors.Settings;

namespace KafkaActors.Internal;

/// <summary>
/// The dispatcher every producer actor runs on (<c>kafka-actors.dispatcher</c> in reference.conf): dedicated
/// threads, so a thread pool starved by blocked callers cannot stall metadata answers and batch
/// completions. Registered on demand in ActorSystems whose config lacks it, with the partition actors' mailbox
/// (<see cref="CompactMailbox"/>). Thread-safe (stateless).
/// </summary>
internal static class ProducerDispatcher
{
    public const string Id = "kafka-actors.dispatcher";

    // Akka creates the executor configurator from its type name in reference.conf: keep its constructor when trimmed.
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(ProducerExecutorConfigurator))]
    public static void EnsureRegistered(ActorSystem system)
    {
        if (!system.Settings.Config.HasPath(CompactMailbox.Id)) system.Settings.InjectTopLevelFallback(CompactMailbox.Registration);
        if (system.Dispatchers.HasDispatcher(Id)) return;
        var config = ConfigurationFactory.ParseString($"id = \"{Id}\"")
            .WithFallback(ReferenceConfig.Config.GetConfig(Id))
            .WithFallback(system.Settings.Config.GetConfig("akka.actor.default-dispatcher"));
        system.Dispatchers.RegisterConfigurator(Id, new DispatcherConfigurator(config, system.Dispatchers.Prerequisites));
    }
}
