using System.IO.Compression;
using System.Xml.Linq;

namespace KafkaActors.Packaging.Tests;

/// <summary>
/// One .nupkg (or .snupkg) as written by dotnet pack, read into memory: its .nuspec and its entries.
/// Immutable once loaded; thread-safe.
/// </summary>
internal sealed class NuGetPackage
{
    private readonly Dictionary<string, byte[]> _entries;

    private NuGetPackage(string fileName, XElement metadata, Dictionary<string, byte[]> entries)
    {
        FileName = fileName;
        Metadata = metadata;
        _entries = entries;
    }

    public string FileName { get; }

    /// <summary>The nuspec's &lt;metadata&gt; element.</summary>
    public XElement Metadata { get; }

    public string Id => Value("id")!;

    public string Version => Value("version")!;

    public IEnumerable<string> EntryNames => _entries.Keys;

    public static NuGetPackage Load(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            entries[entry.FullName] = copy.ToArray();
        }
        var nuspec = entries.Single(e => !e.Key.Contains('/') && e.Key.EndsWith(".nuspec", StringComparison.Ordinal));
        var metadata = XDocument.Load(new MemoryStream(nuspec.Value)).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        return new NuGetPackage(Path.GetFileName(path), metadata, entries);
    }

    /// <summary>A nuspec metadata element's text (e.g. id, description, readme), or null.</summary>
    public string? Value(string element) => Element(element)?.Value;

    public XElement? Element(string element) => Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == element);

    /// <summary>The ids of the packages it depends on, over all target framework groups.</summary>
    public IReadOnlyList<(string Id, string Version)> Dependencies() =>
        Metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => ((string)e.Attribute("id")!, (string)e.Attribute("version")!))
            .ToList();

    public bool Contains(string entry) => _entries.ContainsKey(entry);

    public byte[] Bytes(string entry) =>
        _entries.TryGetValue(entry, out var bytes) ? bytes : throw new KeyNotFoundException($"{FileName} has no {entry}; it has: {string.Join(", ", _entries.Keys)}");
}
