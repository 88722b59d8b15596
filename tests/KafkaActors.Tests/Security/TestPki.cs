using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KafkaActors.Tests.Security;

/// <summary>
/// Certificates made in-process for TLS tests (ECDSA P-256, fast to make), and files of them in a temp
/// directory that is deleted on dispose. One instance per test class; not thread-safe.
/// </summary>
public sealed class TestPki : IDisposable
{
    public TestPki() => Directory.CreateDirectory(Dir);

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "kafka-actors-tls-" + Guid.NewGuid().ToString("N"));

    public static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>A certificate for <paramref name="subject"/> signed by <paramref name="ca"/>, with the private key.</summary>
    public static X509Certificate2 CreateLeaf(
        X509Certificate2 ca, string subject, string[]? dnsNames = null, IPAddress[]? ips = null,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, bool client = false)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(client ? "1.3.6.1.5.5.7.3.2" : "1.3.6.1.5.5.7.3.1")], false));
        if (dnsNames is not null || ips is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dns in dnsNames ?? []) san.AddDnsName(dns);
            foreach (var ip in ips ?? []) san.AddIpAddress(ip);
            request.CertificateExtensions.Add(san.Build());
        }
        var from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        var until = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var signed = request.Create(ca, from, until, serial);
        return signed.CopyWithPrivateKey(key);
    }

    public static X509Certificate2 Broker(X509Certificate2 ca) =>
        CreateLeaf(ca, "broker", ["localhost"], [IPAddress.Loopback]);

    public string Write(string name, string text)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    public string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static string KeyPem(X509Certificate2 certificate) => certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();

    public static string EncryptedKeyPem(X509Certificate2 certificate, string password) =>
        certificate.GetECDsaPrivateKey()!.ExportEncryptedPkcs8PrivateKeyPem(password,
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000));

    /// <summary>A PKCS12 store of the certificates (keys included where they have them), as keytool or openssl would write it.</summary>
    public static byte[] Pkcs12(string? password, params X509Certificate2[] certificates) =>
        new X509Certificate2Collection(certificates).Export(X509ContentType.Pkcs12, password)!;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
