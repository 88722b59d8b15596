using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Tracing;

/// <summary>
/// Runs samples/OpenTelemetrySample (built with this project, in its own process with its own embedded
/// broker) and checks what its console exporters printed: a producer span per record in the sample's trace,
/// and the producer's metrics; the sample itself reads the records' traceparent headers back.
/// </summary>
public sealed class OpenTelemetrySampleTests(ITestOutputHelper output)
{
    private const int Records = 7;

    [Fact]
    public async Task The_sample_exports_a_send_span_per_record_in_its_trace_and_the_producer_s_metrics()
    {
        var (exitCode, stdout, stderr) = await Run(SampleAssembly(), Records.ToString(), TimeSpan.FromMinutes(3));
        output.WriteLine(stdout);
        output.WriteLine(stderr);

        Assert.Equal(0, exitCode);
        var traceId = Regex.Match(stdout, @"^trace\s+: ([0-9a-f]{32})$", RegexOptions.Multiline).Groups[1].Value;
        Assert.Matches($@"read back : {Records} records, {Records} with a traceparent in that trace; OK", stdout);

        // The console exporter prints one block per span: the producer's, then the application's.
        var spans = Regex.Split(stdout, @"(?=^Activity\.TraceId:)", RegexOptions.Multiline).Where(b => b.StartsWith("Activity.TraceId:", StringComparison.Ordinal)).ToList();
        var sends = spans.Where(b => Regex.IsMatch(b, @"^Activity\.DisplayName:\s+send orders$", RegexOptions.Multiline)).ToList();
        Assert.Equal(Records, sends.Count);
        Assert.All(sends, b =>
        {
            Assert.Matches($@"^Activity\.TraceId:\s+{traceId}$", b.Split('\n')[0].TrimEnd());
            Assert.Matches(@"(?m)^Activity\.Kind:\s+Producer\s*$", b);
            Assert.Matches(@"(?m)^\s+messaging\.system: kafka\s*$", b);
            Assert.Matches(@"(?m)^\s+messaging\.kafka\.offset: \d+\s*$", b);
            Assert.Matches(@"(?m)^Activity\.ParentSpanId:\s+[0-9a-f]{16}\s*$", b);
        });
        Assert.Single(spans, b => Regex.IsMatch(b, @"^Activity\.DisplayName:\s+place orders\s*$", RegexOptions.Multiline));
        Assert.Matches(@"(?m)^Metric Name: record-send-total", stdout);
        Assert.Matches(@"(?m)^Metric Name: request-latency-avg", stdout);
    }

    /// <summary>The sample's build output next to this one's (same configuration and framework).</summary>
    private static string SampleAssembly()
    {
        var configuration = typeof(OpenTelemetrySampleTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "KafkaActors.sln"))) directory = directory.Parent;
        Assert.NotNull(directory);
        var path = Path.Combine(directory.FullName, "samples", "OpenTelemetrySample", "bin", configuration, "net10.0", "OpenTelemetrySample.dll");
        Assert.True(File.Exists(path), $"{path} is built with the test project (ProjectReference).");
        return path;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> Run(string assembly, string arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet", $"exec \"{assembly}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The sample did not finish within {timeout}.");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
