using System.Reflection;
using System.Xml.Linq;

namespace KafkaActors.Packaging.Tests;

/// <summary>
/// The checkout these tests were built from: its root, the configuration they were built in, what
/// Directory.Build.props sets for every package, and what git says. Immutable; thread-safe.
/// </summary>
internal sealed class RepositoryCheckout
{
    private RepositoryCheckout(string root, string configuration, XDocument buildProps)
    {
        Root = root;
        Configuration = configuration;
        BuildProps = buildProps;
    }

    public string Root { get; }

    /// <summary>Release or Debug: the packages are packed from the build output of the same configuration.</summary>
    public string Configuration { get; }

    private XDocument BuildProps { get; }

    public static RepositoryCheckout Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "KafkaActors.sln")))
            directory = directory.Parent;
        if (directory is null) throw new InvalidOperationException($"No KafkaActors.sln above {AppContext.BaseDirectory}.");
        var configuration = typeof(RepositoryCheckout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
                            ?? throw new InvalidOperationException("The test assembly names no configuration.");
        var props = XDocument.Load(Path.Combine(directory.FullName, "Directory.Build.props"));
        return new RepositoryCheckout(directory.FullName, configuration, props);
    }

    /// <summary>A property as Directory.Build.props sets it (the last unconditional assignment), or null.</summary>
    public string? BuildProperty(string name) =>
        BuildProps.Descendants(name).LastOrDefault(e => e.Attribute("Condition") is null)?.Value.Trim();

    /// <summary>The README.md in a project's folder, which its package ships.</summary>
    public string ProjectReadme(string projectFolder) => File.ReadAllText(Path.Combine(Root, projectFolder, "README.md"));

    public async Task<string> HeadCommit()
    {
        var result = await ChildProcess.Run("git", Root, TimeSpan.FromMinutes(1), "rev-parse", "HEAD");
        return result.ExitCode == 0 ? result.Out.Trim() : throw new InvalidOperationException($"git rev-parse HEAD: {result}");
    }

    /// <summary>The origin remote's URL, or null when the checkout has no origin (SourceLink then has no URL to map to).</summary>
    public async Task<string?> OriginUrl()
    {
        var result = await ChildProcess.Run("git", Root, TimeSpan.FromMinutes(1), "remote", "get-url", "origin");
        return result.ExitCode == 0 ? result.Out.Trim() : null;
    }
}
