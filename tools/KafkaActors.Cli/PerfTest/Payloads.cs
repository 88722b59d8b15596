using System.Text;
using KafkaActors.Cli.CommandLine;

namespace KafkaActors.Cli.PerfTest;

/// <summary>
/// The records the perf test sends, built once before the run so the loop only picks one: a single record of
/// random uppercase letters (Kafka's <c>--record-size</c> payload), or one per payload of a file, picked at
/// random per send. Keys are null. A record is immutable, so sending the same instance again is safe.
/// </summary>
internal sealed class Payloads
{
    private readonly ProducerRecord<byte[]?, byte[]>[] _records;
    private readonly Random _random = new(0);

    private Payloads(string topic, IEnumerable<byte[]> values) =>
        _records = values.Select(v => new ProducerRecord<byte[]?, byte[]>(topic, null, v)).ToArray();

    public int Count => _records.Length;

    /// <summary>The record when there is only one (every send sends it), else null.</summary>
    public ProducerRecord<byte[]?, byte[]>? Single => _records.Length == 1 ? _records[0] : null;

    /// <summary>The record to send next (not thread-safe: one sending thread).</summary>
    public ProducerRecord<byte[]?, byte[]> Next() => _records.Length == 1 ? _records[0] : _records[_random.Next(_records.Length)];

    /// <summary><paramref name="size"/> bytes of random letters A–Z, generated once and reused.</summary>
    public static Payloads Random(string topic, int size)
    {
        var random = new Random(0);
        var payload = new byte[size];
        for (var i = 0; i < payload.Length; i++) payload[i] = (byte)(random.Next(26) + 'A');
        return new Payloads(topic, [payload]);
    }

    /// <summary>
    /// The UTF-8 payloads of a file, split at <paramref name="delimiter"/> (after unescaping <c>\n \r \t \\</c>);
    /// empty pieces are skipped. Prints what it reads, as Kafka's tool does.
    /// </summary>
    public static Payloads FromFile(string topic, string path, string delimiter, TextWriter output)
    {
        var fullPath = Path.GetFullPath(path);
        output.WriteLine($"Reading payloads from: {fullPath}");
        if (!File.Exists(fullPath) || new FileInfo(fullPath).Length == 0)
            throw new UsageException("File does not exist or empty file provided.");
        var separator = Unescape(delimiter);
        if (separator.Length == 0) throw new UsageException("--payload-delimiter must not be empty.");

        var values = File.ReadAllText(fullPath, Encoding.UTF8)
            .Split(separator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Encoding.UTF8.GetBytes)
            .ToList();
        output.WriteLine($"Number of messages read: {values.Count}");
        if (values.Count == 0) throw new UsageException($"No payloads in '{fullPath}' with delimiter '{delimiter}'.");
        return new Payloads(topic, values);
    }

    private static string Unescape(string s) => s
        .Replace(@"\\", "\u0000", StringComparison.Ordinal)
        .Replace(@"\n", "\n", StringComparison.Ordinal)
        .Replace(@"\r", "\r", StringComparison.Ordinal)
        .Replace(@"\t", "\t", StringComparison.Ordinal)
        .Replace("\u0000", @"\", StringComparison.Ordinal);
}
