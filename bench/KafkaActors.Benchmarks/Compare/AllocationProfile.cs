using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// <c>compare --alloc-types</c>: which types the measured runs allocate. Listens to the runtime's GCAllocationTick
/// events (one per about 100 KB allocated on a thread, naming the type of the object that crossed the mark), keeps
/// those stamped inside a measured run's window and prints the top types with their sampled bytes per record.
/// Sampled, so a type's figure is an estimate (good to ~100 KB per run); the listener itself allocates a little per
/// event (EventWrittenEventArgs, boxed payloads: well under 1% of what it samples, yet they may show in a short list).
/// For stacks, run <c>compare --alloc-types</c> under <c>dotnet-trace collect --profile gc-verbose</c> with
/// <c>ALLOC_WINDOW=&lt;file&gt;</c>: each measured run's window (UTC) is appended to that file, to cut the trace to it.
/// One instance per process (<see cref="Active"/>); thread-safe: events
/// arrive on the runtime's dispatch thread while runs begin and end on the benchmark's.
/// </summary>
public sealed class AllocationProfile : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int TopTypes = 12;

    private readonly ConcurrentQueue<(DateTime At, string Type, long Bytes)> _samples = new();
    private DateTime _begun;

    /// <summary>The listening profile, or null when <c>--alloc-types</c> is off.</summary>
    public static AllocationProfile? Active { get; private set; }

    public static AllocationProfile Start() => Active = new AllocationProfile();

    protected override void OnEventSourceCreated(EventSource source)
    {
        // Called from the base constructor too, before this class's fields are set: use none here.
        if (source.Name == RuntimeSource) EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null) return;
        var type = e.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? e.Payload![t] as string : null;
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload![a], CultureInfo.InvariantCulture)
            : e.PayloadNames.IndexOf("AllocationAmount") is var b and >= 0 ? Convert.ToInt64(e.Payload![b], CultureInfo.InvariantCulture) : 0;
        _samples.Enqueue((e.TimeStamp.ToUniversalTime(), type ?? "?", amount));
    }

    /// <summary>A measured run starts now: samples before it are dropped.</summary>
    public void Begin()
    {
        _samples.Clear();
        _begun = DateTime.UtcNow;
    }

    /// <summary>The run that <see cref="Begin"/> started is over: prints its top types per record.</summary>
    public void End(string client, int records)
    {
        var ended = DateTime.UtcNow;
        Thread.Sleep(1000); // the runtime hands events to listeners asynchronously
        var byType = new Dictionary<string, long>();
        long total = 0;
        foreach (var (at, type, bytes) in _samples)
        {
            if (at < _begun || at > ended) continue;
            byType[type] = byType.GetValueOrDefault(type) + bytes;
            total += bytes;
        }
        if (Environment.GetEnvironmentVariable("ALLOC_WINDOW") is { } windowFile)
            File.AppendAllText(windowFile, string.Create(CultureInfo.InvariantCulture, $"{client} {_begun:O} {ended:O}\n"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  allocations of {client} ({records:N0} records; sampled {total / (double)records:F1} B/record):"));
        foreach (var (type, bytes) in byType.OrderByDescending(kv => kv.Value).Take(TopTypes))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {bytes / (double)records,8:F2} B/record  {bytes,12:N0} B  {type}"));
    }
}
