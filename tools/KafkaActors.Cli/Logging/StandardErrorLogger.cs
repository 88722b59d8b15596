using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace KafkaActors.Cli.Logging;

/// <summary>
/// The tools' Akka logger: writes log events to standard error, as Kafka's tools log to stderr, so that
/// standard output carries only a command's results (perf-test's report, broker's first line).
/// Created by the ActorSystem's logging bus; one instance per system, processing one event at a time.
/// </summary>
internal sealed class StandardErrorLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public StandardErrorLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Console.Error.WriteLine(e.ToString()));
    }
}
