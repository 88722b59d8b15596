using System.Text;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>Record contents both clients send: Kafka's perf-test payload (random letters) and small text keys.</summary>
public static class Payload
{
    public static byte[] Create(int size)
    {
        var random = new Random(42);
        var bytes = new byte[size];
        for (var i = 0; i < size; i++) bytes[i] = (byte)('A' + random.Next(26));
        return bytes;
    }

    public static byte[] Key(int k) => Encoding.ASCII.GetBytes($"key-{k:D4}");
}
