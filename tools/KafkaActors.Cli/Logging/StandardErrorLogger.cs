using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using KafkaActors.Errors;

namespace KafkaActors.Cli.Logging;

/// <summary>
/// The tools' Akka logger: writes log events to standard error, as Kafka's tools log to stderr, so that
/// standard output carries only a command's results (perf-test's report, broker's first line). One line per event,
/// with the cause's type and message but no stack trace. An event whose cause is a <see cref="KafkaException"/> is
/// left out: that error also reaches the command through the API (a record's callback, a failed commit), and the
/// command reports it once, in its own words. Created by the ActorSystem's logging bus; one instance per system,
/// processing one event at a time. An <see cref="ActorBase"/> with a plain switch rather than a ReceiveActor: a
/// ReceiveActor compiles its handlers into a dynamic method when created, which the system waits for at start-up.
/// </summary>
internal sealed class StandardErrorLogger : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent e:
                Write(e);
                return true;
            default:
                return false;
        }
    }

    private static void Write(LogEvent e)
    {
        var cause = e is Error error ? error.Cause : null;
        if (cause is KafkaException) return;
        var line = $"[{e.LogLevel().ToString().Replace("Level", "").ToUpperInvariant()}] {e.LogSource}: {e.Message}";
        Console.Error.WriteLine(cause is null ? line : $"{line} ({cause.GetType().Name}: {cause.Message})");
    }
}
