namespace KafkaActors.Tests.Support;

public static class ActorTestConfig
{
    /// <summary>For TestKit systems that host producers: quiet, and the producer's TCP frames (as the facade's own system).</summary>
    public const string Hocon = """
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off

        """ + KafkaActors.Network.ProducerTcpConfig.Hocon;
}
