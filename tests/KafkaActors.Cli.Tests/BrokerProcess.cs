using System.Diagnostics;
using System.Text;

namespace KafkaActors.Cli.Tests;

/// <summary>
/// <c>kafka-actors broker</c> running as a child process, as another tool's test would run it: its first stdout
/// line gives the bootstrap servers, its stdin stays open until <see cref="CloseStandardInput"/>. Owned by one test
/// (or fixture); <see cref="Dispose"/> stops it if the test did not. Output is collected on reader threads.
/// </summary>
public sealed class BrokerProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource<string> _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BrokerProcess(IEnumerable<string> args)
    {
        _process = new Process { StartInfo = CliProcess.StartInfo(["broker", .. args]) };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _firstLine.TrySetException(new InvalidOperationException($"kafka-actors broker closed stdout without a line. stderr: {Error}"));
                return;
            }
            lock (_out)
            {
                _out.Append(e.Data).Append('\n');
                _lines.Add(e.Data);
                Monitor.PulseAll(_out);
            }
            _firstLine.TrySetResult(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (_error) _error.Append(e.Data).Append('\n');
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts the broker and waits for its first stdout line (<see cref="FirstLine"/>).</summary>
    public static async Task<BrokerProcess> Start(params string[] args)
    {
        var broker = new BrokerProcess(args);
        try
        {
            broker.FirstLine = await broker._firstLine.Task.WaitAsync(StartTimeout);
            return broker;
        }
        catch
        {
            broker.Dispose();
            throw;
        }
    }

    public string FirstLine { get; private set; } = "";

    /// <summary>The value of <c>bootstrap.servers=</c> on the first line.</summary>
    public string BootstrapServers => FirstLine.StartsWith("bootstrap.servers=", StringComparison.Ordinal)
        ? FirstLine["bootstrap.servers=".Length..]
        : throw new InvalidOperationException($"Unexpected first line: {FirstLine}");

    public int Id => _process.Id;

    /// <summary>Everything on stdout so far.</summary>
    public string Out { get { lock (_out) return _out.ToString(); } }

    /// <summary>Everything on stderr so far.</summary>
    public string Error { get { lock (_error) return _error.ToString(); } }

    public void CloseStandardInput() => _process.StandardInput.Close();

    /// <summary>Writes one fault command line to stdin and returns the stdout line that answers it.</summary>
    public string Command(string line, TimeSpan? timeout = null)
    {
        int before;
        lock (_out) before = _lines.Count;
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        lock (_out)
        {
            while (_lines.Count == before)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_out, left))
                    throw new TimeoutException($"No answer to '{line}'. stderr: {Error}");
            }
            return _lines[before];
        }
    }

    /// <summary>Sends a POSIX signal with kill(1): <see cref="Process.Kill()"/> would send SIGKILL.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{name} {Id} exited with {kill.ExitCode}.");
    }

    /// <summary>Waits for the broker to exit; all of its output has been read when this returns.</summary>
    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"kafka-actors broker did not exit within {timeout}. stderr: {Error}");
        }
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(TimeSpan.FromSeconds(10))) _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException) { }
        }
        _process.Dispose();
    }
}
