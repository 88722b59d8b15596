using Akka.Configuration;

namespace KafkaActors.Network;

/// <summary>
/// The Akka.IO TCP settings a producer's connections want, for the ActorSystems that host producers: the producer's
/// own system uses them, Akka.Hosting's WithKafkaProducer appends them as a fallback, and an ActorSystem made any other
/// way should add <see cref="Hocon"/>. Akka.IO (1.5.74) puts at most
/// <c>maximum-frame-size</c> bytes (4 KiB by default) on the wire per socket send and allocates a list, and for a
/// write it splits a new ByteString slice, on every send: 4 KiB frames cost about 100 KB of garbage per MiB
/// written. A 2 MiB frame sends a whole request of max.request.size's default (1 MiB) at once, and reads take in
/// what the kernel holds; the price is one pooled receive buffer of that size per connection. Immutable; thread-safe.
/// </summary>
public static class ProducerTcpConfig
{
    /// <summary>
    /// The settings as HOCON. Akka requires both buffer sizes to be at least the frame size; 1.5.74 uses them for
    /// nothing else (the socket's own buffers follow send.buffer.bytes and receive.buffer.bytes).
    /// </summary>
    public const string Hocon = """
        akka.io.tcp.maximum-frame-size = 2MiB
        akka.io.tcp.send-buffer-size = 2MiB
        akka.io.tcp.receive-buffer-size = 2MiB
        """;

    /// <summary><see cref="Hocon"/>, parsed.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString(Hocon);
}
