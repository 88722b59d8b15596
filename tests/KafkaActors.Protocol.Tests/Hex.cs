namespace KafkaActors.Protocol.Tests;

/// <summary>Golden bytes written as spaced hex with optional '|' separators between fields.</summary>
internal static class Hex
{
    public static byte[] Parse(string hex) =>
        Convert.FromHexString(hex.Replace(" ", "").Replace("|", "").Replace("\n", "").Replace("\r", ""));

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
