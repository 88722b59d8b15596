using System.Reflection;
using System.Runtime.InteropServices;

namespace KafkaActors.Testing;

/// <summary>
/// Loads the native librdkafka shipped by the librdkafka.redist package, once per process, and makes
/// both this assembly's P/Invokes and Confluent.Kafka use that same loaded library.
/// </summary>
/// <remarks>
/// The package's default linux-x64 build links libsasl2.so.3, which Debian does not ship, so the
/// self-contained <c>centos8-librdkafka.so</c> next to it is tried when the default fails to load.
/// </remarks>
public static class LibRdKafka
{
    /// <summary>The library name used by this assembly's P/Invoke declarations.</summary>
    internal const string LibraryName = "librdkafka";

    private static readonly object Gate = new();
    private static volatile string? _loadedPath;
    private static nint _handle;
    private static bool _resolverInstalled;

    /// <summary>Full path (or bare name, when found through the default search) of the loaded library; null before <see cref="EnsureLoaded"/>.</summary>
    public static string? LoadedPath => _loadedPath;

    /// <summary>
    /// Loads librdkafka if not yet loaded and returns where it came from. Idempotent and thread-safe.
    /// Also makes Confluent.Kafka bind to the same loaded library, unless Confluent already loaded
    /// one itself (call this before creating any Confluent client to be sure).
    /// </summary>
    /// <exception cref="DllNotFoundException">No candidate could be loaded; the message lists every attempt.</exception>
    public static string EnsureLoaded()
    {
        if (_loadedPath is { } done)
            return done;
        lock (Gate)
        {
            if (_loadedPath is { } raced)
                return raced;
            if (!_resolverInstalled)
            {
                // Must precede the first P/Invoke into "librdkafka" from this assembly.
                NativeLibrary.SetDllImportResolver(typeof(LibRdKafka).Assembly, Resolve);
                _resolverInstalled = true;
            }
            var (handle, path) = LoadFirst();
            _handle = handle;
            ShareWithConfluent();
            _loadedPath = path;
            return path;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName)
            return 0;
        EnsureLoaded();
        return _handle;
    }

    private static (nint Handle, string Path) LoadFirst()
    {
        var failures = new List<string>();
        foreach (var candidate in Candidates())
        {
            if (!File.Exists(candidate))
                continue;
            try
            {
                return (NativeLibrary.Load(candidate), candidate);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                failures.Add($"{candidate}: {e.Message}");
            }
        }
        // Last resort: whatever the OS loader finds (an installed system librdkafka, a custom deps.json).
        foreach (var name in DefaultNames())
        {
            if (NativeLibrary.TryLoad(name, typeof(LibRdKafka).Assembly, null, out var handle))
                return (handle, name);
            failures.Add($"{name}: not found by the default search");
        }
        throw new DllNotFoundException("Could not load librdkafka. Tried:" + Environment.NewLine + string.Join(Environment.NewLine, failures));
    }

    /// <summary>Package files in preference order, in the app's and this assembly's runtimes/{rid}/native folders.</summary>
    private static IEnumerable<string> Candidates()
    {
        var rid = PortableRid();
        var files = FileNamesFor(rid);
        var bases = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(LibRdKafka).Assembly.Location) }
            .Where(d => !string.IsNullOrEmpty(d))
            .Select(d => Path.GetFullPath(d!))
            .Distinct();
        foreach (var dir in bases)
        {
            foreach (var file in files)
            {
                yield return Path.Combine(dir, "runtimes", rid, "native", file);
                // Some publish layouts flatten native assets next to the assemblies.
                yield return Path.Combine(dir, file);
            }
        }
    }

    private static string[] FileNamesFor(string rid) => rid switch
    {
        // Order matters: the distro-linked build first (uses system OpenSSL/SASL), then the
        // self-contained ones. The alpine build only loads on musl, so it goes last.
        "linux-x64" => ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so"],
        "linux-arm64" => ["librdkafka.so", "alpine-librdkafka.so"],
        _ when rid.StartsWith("linux", StringComparison.Ordinal) => ["librdkafka.so"],
        _ when rid.StartsWith("osx", StringComparison.Ordinal) => ["librdkafka.dylib"],
        _ when rid.StartsWith("win", StringComparison.Ordinal) => ["librdkafka.dll"],
        _ => [],
    };

    private static string[] DefaultNames() =>
        OperatingSystem.IsWindows() ? ["librdkafka.dll", "librdkafka"]
        : OperatingSystem.IsMacOS() ? ["librdkafka.dylib", "librdkafka"]
        : ["librdkafka.so.1", "librdkafka.so", "librdkafka"];

    private static string PortableRid()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : OperatingSystem.IsLinux() ? "linux" : "unknown";
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.X86 => "x86",
            Architecture.Arm64 => "arm64",
            Architecture.S390x => "s390x",
            var other => other.ToString().ToLowerInvariant(),
        };
        return $"{os}-{arch}";
    }

    private static void ShareWithConfluent()
    {
        // If Confluent already loaded librdkafka on its own, nothing can change that now.
        if (Confluent.Kafka.Library.IsLoaded)
            return;
        // Confluent.Kafka.Library.Load(path) is unusable on Linux: it dlopens through
        // [DllImport("libdl")], and glibc 2.34+ without dev packages only has libdl.so.2. Instead,
        // answer Confluent's own DllImports ("librdkafka", "centos8-librdkafka.so", ...) with our handle.
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly,
                (name, _, _) => name.Contains("librdkafka", StringComparison.Ordinal) ? _handle : 0);
        }
        catch (InvalidOperationException)
        {
            // Someone else installed a resolver on Confluent: defer to it.
        }
        Confluent.Kafka.Library.Load();
    }
}
