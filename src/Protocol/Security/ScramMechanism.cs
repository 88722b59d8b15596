using System.Security.Cryptography;
using System.Text;

namespace KafkaActors.Protocol.Security;

/// <summary>
/// One SCRAM mechanism (RFC 5802; SHA-256 per RFC 7677, SHA-512 as Kafka adds) and its primitives: Hi (PBKDF2),
/// HMAC, H and the keys derived from the salted password. Shared by the client and the test server.
/// Immutable and stateless; thread-safe.
/// </summary>
public sealed class ScramMechanism
{
    /// <summary>SCRAM-SHA-256 (RFC 7677).</summary>
    public static readonly ScramMechanism ScramSha256 = new("SCRAM-SHA-256", HashAlgorithmName.SHA256, 32);

    /// <summary>SCRAM-SHA-512 (Kafka's ScramMechanism; same exchange with SHA-512).</summary>
    public static readonly ScramMechanism ScramSha512 = new("SCRAM-SHA-512", HashAlgorithmName.SHA512, 64);

    private static readonly byte[] ClientKeyLabel = "Client Key"u8.ToArray();
    private static readonly byte[] ServerKeyLabel = "Server Key"u8.ToArray();

    private ScramMechanism(string name, HashAlgorithmName hashAlgorithm, int hashSize)
    {
        Name = name;
        HashAlgorithm = hashAlgorithm;
        HashSize = hashSize;
    }

    /// <summary>The SASL mechanism name, e.g. <c>SCRAM-SHA-256</c>.</summary>
    public string Name { get; }

    public HashAlgorithmName HashAlgorithm { get; }

    /// <summary>Bytes of one hash / HMAC output.</summary>
    public int HashSize { get; }

    /// <summary>The fewest iterations a client accepts (RFC 7677 and Kafka: 4096).</summary>
    public int MinIterations => 4096;

    /// <summary>The mechanism called <paramref name="name"/> (case-sensitive, as Kafka), or null.</summary>
    public static ScramMechanism? ForName(string name) => name switch
    {
        "SCRAM-SHA-256" => ScramSha256,
        "SCRAM-SHA-512" => ScramSha512,
        _ => null,
    };

    /// <summary>
    /// SaltedPassword := Hi(Normalize(password), salt, i), Hi being PBKDF2 with this mechanism's HMAC. Like Kafka's
    /// ScramFormatter, the password is used as UTF-8 without SASLprep (identical for ASCII passwords).
    /// </summary>
    public byte[] Hi(string password, ReadOnlySpan<byte> salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithm, HashSize);

    public byte[] Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        var output = new byte[HashSize];
        CryptographicOperations.HmacData(HashAlgorithm, key, data, output);
        return output;
    }

    public byte[] H(ReadOnlySpan<byte> data)
    {
        var output = new byte[HashSize];
        CryptographicOperations.HashData(HashAlgorithm, data, output);
        return output;
    }

    /// <summary>ClientKey := HMAC(SaltedPassword, "Client Key").</summary>
    public byte[] ClientKey(ReadOnlySpan<byte> saltedPassword) => Hmac(saltedPassword, ClientKeyLabel);

    /// <summary>StoredKey := H(ClientKey).</summary>
    public byte[] StoredKey(ReadOnlySpan<byte> clientKey) => H(clientKey);

    /// <summary>ServerKey := HMAC(SaltedPassword, "Server Key").</summary>
    public byte[] ServerKey(ReadOnlySpan<byte> saltedPassword) => Hmac(saltedPassword, ServerKeyLabel);

    /// <summary>ClientSignature := HMAC(StoredKey, AuthMessage).</summary>
    public byte[] ClientSignature(ReadOnlySpan<byte> storedKey, string authMessage) => Hmac(storedKey, Encoding.UTF8.GetBytes(authMessage));

    /// <summary>ServerSignature := HMAC(ServerKey, AuthMessage).</summary>
    public byte[] ServerSignature(ReadOnlySpan<byte> serverKey, string authMessage) => Hmac(serverKey, Encoding.UTF8.GetBytes(authMessage));

    /// <summary>ClientProof := ClientKey XOR ClientSignature (also recovers ClientKey from a proof: XOR is its own inverse).</summary>
    public static byte[] Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("Operands differ in length.");
        var output = new byte[a.Length];
        for (var i = 0; i < a.Length; i++) output[i] = (byte)(a[i] ^ b[i]);
        return output;
    }

    public override string ToString() => Name;
}
