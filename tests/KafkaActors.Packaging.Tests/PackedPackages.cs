using Xunit;

namespace KafkaActors.Packaging.Tests;

/// <summary>
/// Runs <c>dotnet pack KafkaActors.sln --no-build</c> once for the test class, into a temporary folder (deleted on
/// dispose), from the build output of the tests' own configuration, and loads every package it wrote.
/// Owned by xUnit as a class fixture; read-only after construction, so tests may share it.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "kafkaactors-pack-" + Guid.NewGuid().ToString("N"));

    internal RepositoryCheckout Checkout { get; } = RepositoryCheckout.Find();

    /// <summary>The .nupkg files by package id.</summary>
    internal IReadOnlyDictionary<string, NuGetPackage> Packages { get; private set; } = new Dictionary<string, NuGetPackage>();

    /// <summary>The .snupkg files by package id.</summary>
    internal IReadOnlyDictionary<string, NuGetPackage> Symbols { get; private set; } = new Dictionary<string, NuGetPackage>();

    /// <summary>What dotnet pack printed, for failure messages.</summary>
    internal string PackOutput { get; private set; } = "";

    public async Task InitializeAsync()
    {
        // The whole solution, as a release would pack it: projects that are not packable must produce nothing.
        // --no-build: the build that ran these tests already built every project (package validation still runs).
        var result = await ChildProcess.Run("dotnet", Checkout.Root, TimeSpan.FromMinutes(5),
            "pack", "KafkaActors.sln", "-c", Checkout.Configuration, "--no-build", "-o", _output, "-nodeReuse:false");
        PackOutput = result.ToString();
        if (result.ExitCode != 0) throw new InvalidOperationException($"dotnet pack failed: {result}");
        Packages = Directory.GetFiles(_output, "*.nupkg").Select(NuGetPackage.Load).ToDictionary(p => p.Id);
        Symbols = Directory.GetFiles(_output, "*.snupkg").Select(NuGetPackage.Load).ToDictionary(p => p.Id);
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(_output)) Directory.Delete(_output, recursive: true);
        return Task.CompletedTask;
    }
}
