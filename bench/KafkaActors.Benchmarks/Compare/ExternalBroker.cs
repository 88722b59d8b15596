using System.Diagnostics;
using System.Globalization;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// The embedded cluster as its own process (<c>kafka-actors broker</c>), so its CPU, and the front's server side of TLS,
/// stay out of the clients' process: the first stdout line is the bootstrap servers, each stdin line a command (a fresh
/// topic, every broker's RTT) answered with one stdout line. Without a front (<see cref="Transport.Direct"/>) clients talk
/// to the mock brokers themselves. Owned by the comparison run; one command at a time, so not thread-safe.
/// </summary>
public sealed class ExternalBroker : IDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly string _clientConfig;

    private ExternalBroker(Process process, string clientConfig, IReadOnlyDictionary<string, string> javaProperties)
    {
        _process = process;
        _clientConfig = clientConfig;
        JavaProperties = javaProperties;
    }

    /// <summary>The client properties the broker wrote: bootstrap.servers, security.protocol and, over TLS, the PEM trust store.</summary>
    public IReadOnlyDictionary<string, string> JavaProperties { get; }

    /// <summary>The broker process's user+sys time so far (from /proc while it runs).</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Starts 3 brokers (behind a front unless <paramref name="transport"/> is Direct) and waits for the bootstrap line.</summary>
    public static ExternalBroker Start(Transport transport)
    {
        var clientConfig = Path.Combine(Path.GetTempPath(), $"bench-broker-{Guid.NewGuid():N}.properties");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false, // its progress lines go to the bench's stderr
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[CliPath(), "broker", "--brokers", "3", "--client-config", clientConfig])
            start.ArgumentList.Add(arg);
        foreach (var arg in transport switch
                 {
                     Transport.Direct => (string[])["--no-front"],
                     Transport.Relay => ["--security-protocol", "PLAINTEXT"],
                     _ => ["--security-protocol", "SSL"],
                 })
            start.ArgumentList.Add(arg);

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start kafka-actors broker.");
        try
        {
            var first = ReadLine(process, "the bootstrap line");
            if (!first.StartsWith("bootstrap.servers=", StringComparison.Ordinal))
                throw new InvalidOperationException($"kafka-actors broker's first line is not bootstrap.servers=...: {first}");
            return new ExternalBroker(process, clientConfig, ReadProperties(clientConfig));
        }
        catch
        {
            Stop(process);
            File.Delete(clientConfig);
            throw;
        }
    }

    /// <summary>A topic with replication factor 1, as the in-process mode creates it.</summary>
    public void CreateTopic(string topic, int partitions) =>
        Command(string.Create(CultureInfo.InvariantCulture, $"topic {topic} {partitions} 1"));

    public void SetRtt(int ms) => Command(string.Create(CultureInfo.InvariantCulture, $"rtt all {ms}"));

    /// <summary>Sends one command line; throws unless the answer starts with ok.</summary>
    private void Command(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
        var answer = ReadLine(_process, $"an answer to '{line}'");
        if (!answer.StartsWith("ok", StringComparison.Ordinal))
            throw new InvalidOperationException($"kafka-actors broker answered '{line}' with: {answer}");
    }

    private static string ReadLine(Process process, string what)
    {
        var read = process.StandardOutput.ReadLineAsync();
        if (!read.Wait(AnswerTimeout))
            throw new TimeoutException($"kafka-actors broker gave no {what} within {AnswerTimeout.TotalSeconds:F0} s.");
        return read.Result ?? throw new InvalidOperationException($"kafka-actors broker exited before {what}.");
    }

    /// <summary>The Java .properties file the broker wrote: key=value lines, values escaped only for backslashes (no blanks, no non-ASCII here).</summary>
    private static Dictionary<string, string> ReadProperties(string path) =>
        File.ReadAllLines(path)
            .Where(l => l.Length > 0 && l[0] is not ('#' or '!'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim().Replace("\\\\", "\\", StringComparison.Ordinal));

    /// <summary>
    /// tools/KafkaActors.Cli/bin/&lt;configuration&gt;/net10.0/kafka-actors.dll, built by the bench's project reference
    /// (KAFKA_ACTORS_CLI overrides it).
    /// </summary>
    private static string CliPath()
    {
        if (Environment.GetEnvironmentVariable("KAFKA_ACTORS_CLI") is { Length: > 0 } overridden) return overridden;
        var here = AppContext.BaseDirectory; // bench/KafkaActors.Benchmarks/bin/<cfg>/net10.0/
        var configuration = new DirectoryInfo(here).Parent!.Name;
        var root = Path.GetFullPath(Path.Combine(here, "..", "..", "..", "..", ".."));
        var path = Path.Combine(root, "tools", "KafkaActors.Cli", "bin", configuration, "net10.0", "kafka-actors.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("The kafka-actors tool was not built.", path);
    }

    private static void Stop(Process process)
    {
        try
        {
            process.StandardInput.Close(); // the broker stops when stdin closes
            if (!process.WaitForExit(TimeSpan.FromSeconds(15))) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
        catch (IOException) { }
    }

    public void Dispose()
    {
        Stop(_process);
        _process.Dispose();
        File.Delete(_clientConfig);
    }
}
