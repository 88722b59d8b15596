using Akka.Configuration;
using KafkaActors.Network;

namespace KafkaActors.Settings;

/// <summary>
/// The config of an ActorSystem made only to host producers (a <see cref="KafkaProducer{TKey,TValue}"/> created without
/// one, the tools'): <see cref="ProducerTcpConfig"/>, and Akka's default dispatcher on the producer's own threads
/// (<c>kafka-actors.dispatcher</c>'s shared executor). Akka.IO runs its connection actors on the default dispatcher,
/// which is the .NET thread pool: each request's write and answer then woke thread-pool workers, which spin before they
/// sleep (at 16 KiB batches most of a producer's CPU at 10,000 records/s). On the producer's threads those hops mostly
/// find a thread awake. Not for systems that host other actors: it moves all of them onto the producer's two threads
/// (Akka.Hosting does not add it). Immutable; thread-safe.
/// </summary>
public static class DedicatedSystemConfig
{
    /// <summary>The default dispatcher's part as HOCON (without <see cref="ProducerTcpConfig"/>).</summary>
    public const string DispatcherHocon = """
        akka.actor.default-dispatcher {
          executor = "KafkaActors.Internal.ProducerExecutorConfigurator, KafkaActors"
          shared-executor = "kafka-actors.dispatcher"
          dedicated-thread-pool {
            thread-count = 2
            threadtype = background
          }
        }
        """;

    /// <summary>The whole config: the dispatcher, <see cref="ProducerTcpConfig"/> and <see cref="ReferenceConfig"/>.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString(DispatcherHocon)
        .WithFallback(ProducerTcpConfig.Config)
        .WithFallback(ReferenceConfig.Config);
}
