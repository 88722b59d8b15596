using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace KafkaActors.Benchmarks.Cold;

/// <summary>
/// One perf-test run as a fresh process: its whole wall time (start to exit), its CPU time (user + sys, from
/// <c>getrusage(RUSAGE_CHILDREN)</c> around the wait, Linux only) and the records/sec of its final perf-test line.
/// Immutable; <see cref="Start"/> runs one child at a time.
/// </summary>
public sealed partial record ChildRun(string Name, double RecordsPerSecond, TimeSpan Wall, TimeSpan? Cpu, string TotalLine)
{
    /// <summary>Runs <c>dotnet <paramref name="dll"/> <paramref name="args"/></c> with <paramref name="environment"/> added, and waits for it.</summary>
    public static ChildRun Start(string name, string dll, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var cpuBefore = ChildrenCpu();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} did not finish within {timeout}.");
        }
        process.WaitForExit();
        var wall = clock.Elapsed;
        var cpu = ChildrenCpu() - cpuBefore;
        var stdout = output.Result;
        var line = stdout.Split('\n').LastOrDefault(l => l.Contains(" records/sec ", StringComparison.Ordinal))?.Trim();
        if (process.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"{name} exited with {process.ExitCode}.{Environment.NewLine}{stdout}{error.Result}");
        var rate = double.Parse(RateInLine().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
        return new ChildRun(name, rate, wall, cpu, line);
    }

    [GeneratedRegex(@"records sent, ([0-9.]+) records/sec")]
    private static partial Regex RateInLine();

    /// <summary>User + sys time of all waited-for children so far, or null where getrusage is not available.</summary>
    private static TimeSpan? ChildrenCpu()
    {
        if (!OperatingSystem.IsLinux()) return null;
        const int rusageChildren = -1;
        return getrusage(rusageChildren, out var usage) == 0 ? usage.UserTime.ToTimeSpan() + usage.SystemTime.ToTimeSpan() : null;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeValue
    {
        public long Seconds;
        public long Microseconds;

        public readonly TimeSpan ToTimeSpan() => TimeSpan.FromSeconds(Seconds) + TimeSpan.FromMicroseconds(Microseconds);
    }

    /// <summary>Linux's struct rusage: two timevals, then 14 longs this class does not read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct ResourceUsage
    {
        public TimeValue UserTime;
        public TimeValue SystemTime;
        public fixed long Rest[14];
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out ResourceUsage usage);
}
