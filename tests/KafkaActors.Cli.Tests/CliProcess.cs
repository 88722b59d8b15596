using System.Diagnostics;

namespace KafkaActors.Cli.Tests;

/// <summary>Runs the built kafka-actors tool as a child process, the way a user does, with standard input piped in.</summary>
public static class CliProcess
{
    public sealed record Result(int ExitCode, string Out, string Error);

    /// <summary>tools/KafkaActors.Cli/bin/&lt;configuration&gt;/net10.0/kafka-actors.dll, built by the project reference.</summary>
    private static string ToolPath()
    {
        var here = AppContext.BaseDirectory; // tests/KafkaActors.Cli.Tests/bin/<cfg>/net10.0/
        var configuration = new DirectoryInfo(here).Parent!.Name;
        var root = Path.GetFullPath(Path.Combine(here, "..", "..", "..", "..", ".."));
        var path = Path.Combine(root, "tools", "KafkaActors.Cli", "bin", configuration, "net10.0", "kafka-actors.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("The kafka-actors tool was not built.", path);
    }

    /// <summary><c>dotnet kafka-actors.dll args...</c> with all three standard streams redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolPath());
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return start;
    }

    public static Task<Result> Run(string? standardInput, TimeSpan timeout, params string[] args) =>
        RunScripted(async input =>
        {
            if (standardInput is not null) await input.WriteAsync(standardInput);
        }, timeout, args);

    /// <summary>Like <see cref="Run(string?, TimeSpan, string[])"/>, with standard input written by <paramref name="writeInput"/> (it may pause); closed after it.</summary>
    public static async Task<Result> RunScripted(Func<StreamWriter, Task> writeInput, TimeSpan timeout, params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await writeInput(process.StandardInput);
        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kafka-actors {string.Join(' ', args)} did not finish within {timeout}. stderr: {await error}");
        }
        return new Result(process.ExitCode, await output, await error);
    }
}
