using System.Reflection;
using System.Reflection.Metadata;
using System.Text;
using System.Xml.Linq;
using Xunit;

namespace KafkaActors.Packaging.Tests;

/// <summary>
/// What <c>dotnet pack KafkaActors.sln</c> produces: exactly the four packages, each with its own README, XML docs,
/// symbols, the license and version set once in Directory.Build.props, and git repository metadata; and no producer
/// package depends, directly or through another of ours, on librdkafka or Confluent.Kafka.
/// </summary>
public sealed class PackageTests(PackedPackages packed) : IClassFixture<PackedPackages>
{
    /// <summary>Each package and the project folder it is packed from.</summary>
    public static readonly TheoryData<string, string> Projects = new()
    {
        { "KafkaActors", "src/Actors" },
        { "KafkaActors.Protocol", "src/Protocol" },
        { "KafkaActors.Hosting", "src/Hosting" },
        { "KafkaActors.Testing", "src/Testing" },
    };

    private static readonly string[] TestOnlyDependencies = ["librdkafka.redist", "Confluent.Kafka"];

    private NuGetPackage Package(string id) =>
        packed.Packages.TryGetValue(id, out var package) ? package : throw new KeyNotFoundException($"No {id} package. {packed.PackOutput}");

    [Fact]
    public void The_solution_packs_exactly_the_four_libraries_with_their_symbols()
    {
        var expected = Projects.Select(row => (string)row[0]).Order().ToArray();
        Assert.Equal(expected, packed.Packages.Keys.Order().ToArray());
        Assert.Equal(expected, packed.Symbols.Keys.Order().ToArray());
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Each_package_ships_its_own_readme(string id, string folder)
    {
        var package = Package(id);
        Assert.Equal("README.md", package.Value("readme"));
        var readme = Encoding.UTF8.GetString(package.Bytes("README.md"));
        Assert.Equal(packed.Checkout.ProjectReadme(folder), readme);
        Assert.StartsWith($"# {id}\n", readme.ReplaceLineEndings("\n"));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Each_package_ships_its_assembly_with_xml_docs_and_a_portable_pdb(string id, string folder)
    {
        _ = folder;
        var package = Package(id);
        Assert.True(package.Contains($"lib/net10.0/{id}.dll"), $"{id} has no lib/net10.0/{id}.dll");
        var docs = XDocument.Load(new MemoryStream(package.Bytes($"lib/net10.0/{id}.xml")));
        Assert.Equal(id, docs.Root!.Element("assembly")!.Element("name")!.Value);
        Assert.NotEmpty(docs.Root.Element("members")!.Elements("member"));

        var pdb = packed.Symbols[id].Bytes($"lib/net10.0/{id}.pdb");
        using var provider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(pdb));
        var reader = provider.GetMetadataReader();
        Assert.NotEmpty(reader.Documents);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Each_package_has_the_one_version_and_license_set_in_Directory_Build_props(string id, string folder)
    {
        _ = folder;
        var package = Package(id);
        var version = packed.Checkout.BuildProperty("VersionPrefix");
        Assert.False(string.IsNullOrEmpty(version), "Directory.Build.props sets no VersionPrefix");
        Assert.Equal(version, package.Version);
        // The assembly's version is the package's too (the client reports it as client.software.version).
        Assert.Equal(new Version(version + ".0"), AssemblyVersion(package.Bytes($"lib/net10.0/{id}.dll")));
        // Our packages depend on each other at this same version.
        foreach (var (dependency, dependencyVersion) in package.Dependencies().Where(d => packed.Packages.ContainsKey(d.Id)))
            Assert.Equal(version, dependencyVersion);

        var license = packed.Checkout.BuildProperty("PackageLicenseExpression");
        Assert.Equal("Apache-2.0", license);
        var element = package.Element("license");
        Assert.NotNull(element);
        Assert.Equal("expression", (string?)element.Attribute("type"));
        Assert.Equal(license, element.Value);
        // NuGet adds, for old clients, the URL of the expression's text; nothing else.
        var licenseUrl = (string?)package.Element("licenseUrl");
        Assert.True(licenseUrl is null || licenseUrl == $"https://licenses.nuget.org/{license}", licenseUrl);
        // The expression names the text at the repository's root.
        var text = File.ReadAllText(Path.Combine(packed.Checkout.Root, "LICENSE"));
        Assert.Contains("Apache License", text);
        Assert.Contains("Version 2.0, January 2004", text);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task Each_package_names_its_git_repository_and_commit(string id, string folder)
    {
        _ = folder;
        var repository = Package(id).Element("repository");
        Assert.NotNull(repository);
        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.Equal(await packed.Checkout.HeadCommit(), (string?)repository.Attribute("commit"));
        // The URL is the origin remote's. A checkout without one, or cloned from a local path (as CI's is), publishes
        // none rather than a made-up one; from a GitHub remote, the URL and SourceLink need no network.
        var origin = await packed.Checkout.OriginUrl();
        var url = (string?)repository.Attribute("url");
        if (origin is null || Path.IsPathRooted(origin) || origin.StartsWith("file:", StringComparison.Ordinal))
        {
            Assert.Null(url);
        }
        else if (origin.StartsWith("https://github.com/", StringComparison.Ordinal))
        {
            Assert.Equal(origin, url);
            Assert.True(HasSourceLink(packed.Symbols[id].Bytes($"lib/net10.0/{id}.pdb")), $"{id}.pdb has no SourceLink for {origin}");
        }
    }

    [Theory]
    [InlineData("KafkaActors")]
    [InlineData("KafkaActors.Protocol")]
    [InlineData("KafkaActors.Hosting")]
    public void No_producer_package_depends_on_librdkafka_or_Confluent_Kafka(string id)
    {
        // Through our own packages too: KafkaActors.Hosting -> KafkaActors -> KafkaActors.Protocol.
        var seen = new HashSet<string>();
        var pending = new Stack<string>([id]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current)) continue;
            foreach (var (dependency, _) in Package(current).Dependencies())
            {
                Assert.DoesNotContain(dependency, TestOnlyDependencies);
                Assert.NotEqual("KafkaActors.Testing", dependency);
                if (packed.Packages.ContainsKey(dependency)) pending.Push(dependency);
            }
        }
        Assert.DoesNotContain(Package(id).EntryNames, e => e.StartsWith("runtimes/", StringComparison.Ordinal));
    }

    [Fact]
    public void The_testing_package_depends_on_librdkafka_and_Confluent_Kafka_and_says_so()
    {
        var testing = Package("KafkaActors.Testing");
        var dependencies = testing.Dependencies().Select(d => d.Id).ToArray();
        var readme = Encoding.UTF8.GetString(testing.Bytes("README.md"));
        var description = testing.Value("description")!;
        foreach (var dependency in TestOnlyDependencies)
        {
            Assert.Contains(dependency, dependencies);
            Assert.Contains(dependency, readme);
            Assert.Contains(dependency, description);
        }
    }

    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    private static bool HasSourceLink(byte[] pdb)
    {
        using var provider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(pdb));
        var reader = provider.GetMetadataReader();
        return reader.CustomDebugInformation.Any(handle => reader.GetGuid(reader.GetCustomDebugInformation(handle).Kind) == SourceLinkKind);
    }

    private static Version AssemblyVersion(byte[] assembly)
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(new MemoryStream(assembly));
        return pe.GetMetadataReader().GetAssemblyDefinition().Version;
    }
}
