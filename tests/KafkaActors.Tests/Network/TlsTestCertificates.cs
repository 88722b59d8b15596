using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KafkaActors.Tests.Network;

/// <summary>
/// Certificates for loopback TLS tests, made in memory: a test CA and a server certificate it signs for
/// 127.0.0.1 and localhost, plus a second, unrelated CA and server certificate that the first CA's trust
/// rejects. ECDSA P-256 keys, so making them is quick. Created once per test run; immutable, thread-safe.
/// </summary>
internal static class TlsTestCertificates
{
    private static readonly Lazy<(X509Certificate2 Ca, X509Certificate2 Server)> Trusted = new(() => MakeChain("KafkaActors Test CA"));
    private static readonly Lazy<(X509Certificate2 Ca, X509Certificate2 Server)> Untrusted = new(() => MakeChain("Some Other CA"));

    /// <summary>The CA the tests' clients trust (public part only).</summary>
    public static X509Certificate2 Ca => Trusted.Value.Ca;

    /// <summary>A server certificate with its private key, signed by <see cref="Ca"/>.</summary>
    public static X509Certificate2 Server => Trusted.Value.Server;

    /// <summary>A server certificate with its private key, signed by a CA the clients do not trust.</summary>
    public static X509Certificate2 UntrustedServer => Untrusted.Value.Server;

    /// <summary>
    /// Client options as the ssl.* settings helper makes them: trust only <see cref="Ca"/> (CustomRootTrust),
    /// check the host name, and on rejection call onRejected with the reason.
    /// </summary>
    public static Func<string, Action<string>, SslClientAuthenticationOptions> TrustingCa(System.Security.Authentication.SslProtocols protocols = default) =>
        (host, onRejected) => new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null)
                {
                    onRejected("the broker sent no certificate");
                    return false;
                }
                if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    onRejected($"the broker's certificate is not for host {host}");
                    return false;
                }
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(Ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var leaf = new X509Certificate2(certificate);
                if (chain.Build(leaf)) return true;
                var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status));
                onRejected($"the broker's certificate '{leaf.Subject}' is not signed by a trusted CA ({status})");
                return false;
            },
        };

    private static (X509Certificate2 Ca, X509Certificate2 Server) MakeChain(string caName)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={caName}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var caWithKey = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caWithKey, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        using var signed = serverRequest.Create(caWithKey, now.AddDays(-1), now.AddDays(7), serial);
        using var serverWithKey = signed.CopyWithPrivateKey(serverKey);

        // Through PKCS#12 so the private key is usable by the platform's TLS stack.
        var server = X509CertificateLoader.LoadPkcs12(serverWithKey.Export(X509ContentType.Pkcs12), null);
        var ca = X509CertificateLoader.LoadCertificate(caWithKey.RawData);
        return (ca, server);
    }
}
