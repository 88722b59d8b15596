namespace KafkaActors.Cli;

/// <summary>
/// Runs .NET's socket completions on its epoll thread instead of handing each to a thread-pool worker, for a process
/// whose sockets are a producer's (perf-test, produce, and the bench, whose comparisons host both clients: Confluent.Kafka's
/// librdkafka uses sockets of its own, which this does not touch). Akka.IO completes a socket read, and a write the
/// kernel could not take at once, by telling its connection actor: work that never blocks, so the epoll thread can
/// run it, and each request and answer then wakes one thread fewer. W4-shaped perf-test (6M × 1 KiB, 4 alternated
/// pairs): 1.39-1.56M → 1.64-1.69M records/s, 4.7-5.3 → 4.5-4.8 s of CPU.
///
/// .NET reads the setting only from the environment, once, when the process first uses an asynchronous socket, so
/// it is set at the start of Main, before any. A value the caller set (0 or 1) is kept. An application hosting a
/// producer sets <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> for its process when nothing else it runs
/// blocks in a socket continuation (a blocked epoll thread stalls every socket of the process). Stateless.
/// </summary>
internal static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void Enable()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null) Environment.SetEnvironmentVariable(Variable, "1");
    }
}
