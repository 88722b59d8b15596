using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using KafkaActors.Settings;
using Xunit.Abstractions;

namespace KafkaActors.FaultTests.Support;

/// <summary>
/// An ActorSystem shaped like the facade's own (<see cref="DedicatedSystemConfig"/>) whose log, from DEBUG up, is kept in
/// memory with millisecond timestamps, so a timing-sensitive fault test can print the producer's side of a failure.
/// Owned by one test; the lines are thread-safe (the logger actor appends, the test reads).
/// </summary>
public sealed class CapturedLog : IDisposable
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Logs = new();
    private readonly ConcurrentQueue<string> _lines = new();

    public CapturedLog()
    {
        var name = $"captured-{Guid.NewGuid():N}";
        Logs[name] = _lines;
        try
        {
            System = ActorSystem.Create(name, ConfigurationFactory.ParseString($$"""
                akka.loglevel = DEBUG
                akka.stdout-loglevel = OFF
                akka.loggers = ["{{typeof(CapturingLogger).AssemblyQualifiedName}}"]
                akka.log-dead-letters = off
                akka.log-dead-letters-during-shutdown = off
                """).WithFallback(DedicatedSystemConfig.Config));
        }
        catch
        {
            Logs.TryRemove(name, out _);
            throw;
        }
    }

    public ActorSystem System { get; }

    /// <summary>Adds a line of the test's own (a phase), in the same timeline.</summary>
    public void Mark(string text) => _lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} TEST {text}");

    /// <summary>Writes the lines from the producer's actors (not Akka's own), at most <paramref name="max"/> of the last.</summary>
    public void WriteTo(ITestOutputHelper output, int max = 400)
    {
        foreach (var line in _lines.Where(l => !l.Contains("akka://" + System.Name + "/system", StringComparison.Ordinal)).TakeLast(max))
            output.WriteLine(line);
    }

    public void Dispose()
    {
        System.Terminate().Wait(TimeSpan.FromSeconds(10));
        Logs.TryRemove(System.Name, out _);
    }

    /// <summary>The system's logger: appends each event to its system's lines.</summary>
    public sealed class CapturingLogger : ReceiveActor
    {
        public CapturingLogger()
        {
            var lines = Logs.GetValueOrDefault(Context.System.Name);
            Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
            Receive<LogEvent>(e => lines?.Enqueue($"{e.Timestamp:HH:mm:ss.fff} {e.LogLevel().ToString().Replace("Level", "")} {e.LogSource} {e.Message}{(e.Cause is { } cause ? " | " + cause.Message : "")}"));
        }
    }
}
