namespace KafkaActors.Tests.Support;

/// <summary>
/// Keyed records from a fixed key set, each value carrying its key's sequence number, with headers
/// (repeated keys, null and empty values) and explicit timestamps. Deterministic per seed.
/// </summary>
public static class KeyedWorkload
{
    private static readonly string[] Payloads = ["", "a", "plain ascii payload", "ümlaut € 𝄞 日本語", new string('x', 180), "tab\tnew\nline"];

    public static List<ProducerRecord<string?, string?>> Build(string topic, int count, int keys, int seed, long baseTimestamp)
    {
        var random = new Random(seed);
        var sequences = new int[keys];
        var records = new List<ProducerRecord<string?, string?>>(count);
        for (var i = 0; i < count; i++)
        {
            var k = random.Next(keys);
            var seq = sequences[k]++;
            var key = $"key-{k:D3}";
            var value = $"{key}|{seq}|{Payloads[random.Next(Payloads.Length)]}";
            var headers = new Headers()
                .Add("seq", seq.ToString())
                .Add("null-header", (byte[]?)null)
                .Add("dup", "first")
                .Add("dup", "second");
            if (i % 3 == 0) headers.Add("empty", Array.Empty<byte>());
            if (i % 7 == 0) headers.Add("bin", [0, 255, 1, 254, (byte)(i & 0xff)]);
            records.Add(new ProducerRecord<string?, string?>(topic, null, baseTimestamp + i, key, value, headers));
        }
        return records;
    }

    public static (string Key, int Seq) Parse(string value)
    {
        var parts = value.Split('|', 3);
        return (parts[0], int.Parse(parts[1]));
    }
}
