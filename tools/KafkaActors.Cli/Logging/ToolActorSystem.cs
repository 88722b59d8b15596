using Akka.Actor;
using Akka.Configuration;
using KafkaActors.Settings;

namespace KafkaActors.Cli.Logging;

/// <summary>
/// The ActorSystem a tool's producer runs in. Only errors are logged, to stderr: the tools report what a user
/// needs themselves (an authentication failure once, as one line), and the connection's own warning about the
/// same failure would repeat it on every reconnect. Owned by the command that creates it; dispose to terminate it.
/// </summary>
internal sealed class ToolActorSystem : IDisposable
{
    private static readonly TimeSpan TerminateTimeout = TimeSpan.FromSeconds(10);

    private static readonly Config Config = ConfigurationFactory.ParseString($$"""
        akka.loglevel = ERROR
        akka.stdout-loglevel = OFF
        akka.loggers = ["{{typeof(StandardErrorLogger).AssemblyQualifiedName}}"]
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        """).WithFallback(DedicatedSystemConfig.Config); // TCP frames and dispatcher as the producer's own system

    public ActorSystem System { get; } = ActorSystem.Create("kafka-actors", Config);

    public void Dispose() => System.Terminate().Wait(TerminateTimeout);
}
