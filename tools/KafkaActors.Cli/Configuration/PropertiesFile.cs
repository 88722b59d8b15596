using System.Globalization;
using System.Text;
using KafkaActors.Cli.CommandLine;

namespace KafkaActors.Cli.Configuration;

/// <summary>
/// Reads (and writes) Java <c>.properties</c> files as <c>java.util.Properties.load</c> does: <c>key=value</c>,
/// <c>key: value</c> or <c>key value</c>; <c>#</c>/<c>!</c> comment lines; blank lines; a line ending in an
/// odd number of backslashes continues on the next (whose leading blanks are dropped); escapes
/// <c>\t \n \r \f \uXXXX</c>, and a backslash before any other character keeps that character
/// (<c>\=</c>, <c>\:</c>, <c>\ </c>, <c>\\</c>). Later duplicates win. Files are read as UTF-8
/// (Java's <c>Properties.load(InputStream)</c> reads ISO-8859-1; the two agree on ASCII).
/// </summary>
internal static class PropertiesFile
{
    /// <exception cref="UsageException">The file cannot be read, or has a malformed <c>\u</c> escape.</exception>
    public static Dictionary<string, string> Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"Cannot read properties file '{path}': {e.Message}");
        }
        try
        {
            return Parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"Malformed properties file '{path}': {e.Message}");
        }
    }

    /// <summary>
    /// Writes <paramref name="properties"/> one <c>key=value</c> line each, escaped as far as <c>Properties.load</c> needs
    /// (backslashes, control characters, a leading blank; in keys also <c>= : # !</c> and blanks; characters outside
    /// printable ASCII as <c>\uXXXX</c>), so Java (which reads ISO-8859-1) and <see cref="Load"/> read the same values
    /// back, and a person can still read the file. Creates the file readable by its
    /// owner only where the file system has Unix modes: it may hold a password.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, string>> properties, string comment)
    {
        var text = new StringBuilder();
        text.Append("# ").Append(comment).Append('\n');
        foreach (var (key, value) in properties)
            text.Append(Escape(key, isKey: true)).Append('=').Append(Escape(value, isKey: false)).Append('\n');

        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        // An existing file keeps its mode on open: narrow it before the secret is written.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var writer = new StreamWriter(stream, Encoding.ASCII);
        writer.Write(text.ToString());
    }

    private static string Escape(string s, bool isKey)
    {
        var result = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case ' ' when isKey || i == 0: result.Append("\\ "); break;
                case '\\': result.Append("\\\\"); break;
                case '\t': result.Append("\\t"); break;
                case '\n': result.Append("\\n"); break;
                case '\r': result.Append("\\r"); break;
                case '\f': result.Append("\\f"); break;
                case '=' or ':' or '#' or '!' when isKey: result.Append('\\').Append(c); break;
                case < ' ' or > '~': result.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"); break;
                default: result.Append(c); break;
            }
        }
        return result.ToString();
    }

    /// <exception cref="FormatException">A malformed <c>\uXXXX</c> escape.</exception>
    public static Dictionary<string, string> Parse(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in LogicalLines(text))
        {
            var (rawKey, rawValue) = SplitKeyValue(line);
            var key = Unescape(rawKey) ?? throw new FormatException("Malformed \\uxxxx encoding in a key.");
            // The value may be a secret: the message names the key only.
            result[key] = Unescape(rawValue) ?? throw new FormatException($"Malformed \\uxxxx encoding in the value of '{key}'.");
        }
        return result;
    }

    /// <summary>Joins continued lines and drops blank and comment lines; escapes are still in place.</summary>
    private static IEnumerable<string> LogicalLines(string text)
    {
        var natural = text.ReplaceLineEndings("\n").Split('\n');
        var logical = new StringBuilder();
        var continuing = false;
        foreach (var raw in natural)
        {
            var line = raw.TrimStart(' ', '\t', '\f');
            if (!continuing)
            {
                if (line.Length == 0 || line[0] is '#' or '!') continue;
                logical.Clear();
            }
            continuing = EndsWithOddBackslashes(line);
            logical.Append(continuing ? line.AsSpan(0, line.Length - 1) : line);
            if (!continuing) yield return logical.ToString();
        }
        if (continuing && logical.Length > 0) yield return logical.ToString();
    }

    private static bool EndsWithOddBackslashes(string line)
    {
        var count = 0;
        for (var i = line.Length - 1; i >= 0 && line[i] == '\\'; i--) count++;
        return count % 2 == 1;
    }

    /// <summary>The key ends at the first unescaped '=', ':' or blank; blanks and one '='/':' separate it from the value.</summary>
    private static (string Key, string Value) SplitKeyValue(string line)
    {
        var i = 0;
        while (i < line.Length && !IsKeyTerminator(line[i]))
            i += line[i] == '\\' && i + 1 < line.Length ? 2 : 1;
        var key = line[..Math.Min(i, line.Length)];

        while (i < line.Length && IsBlank(line[i])) i++;
        if (i < line.Length && line[i] is '=' or ':') i++;
        while (i < line.Length && IsBlank(line[i])) i++;
        return (key, i < line.Length ? line[i..] : "");
    }

    private static bool IsKeyTerminator(char c) => c is '=' or ':' || IsBlank(c);

    private static bool IsBlank(char c) => c is ' ' or '\t' or '\f';

    /// <summary>The text with its escapes replaced; null for a malformed <c>\uXXXX</c>.</summary>
    private static string? Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var result = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c != '\\' || i + 1 >= s.Length)
            {
                result.Append(c);
                continue;
            }
            c = s[++i];
            switch (c)
            {
                case 't': result.Append('\t'); break;
                case 'n': result.Append('\n'); break;
                case 'r': result.Append('\r'); break;
                case 'f': result.Append('\f'); break;
                case 'u':
                    if (i + 4 >= s.Length ||
                        !ushort.TryParse(s.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        return null;
                    }
                    result.Append((char)code);
                    i += 4;
                    break;
                default: result.Append(c); break;
            }
        }
        return result.ToString();
    }
}
