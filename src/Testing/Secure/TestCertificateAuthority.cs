using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// An in-process certificate authority for tests: a self-signed ECDSA P-256 root that issues broker
/// (server) certificates and client certificates for mutual TLS. Nothing touches the machine's stores.
/// </summary>
/// <remarks>
/// Owned by whoever creates it (usually a <see cref="SecureEmbeddedKafka"/>); dispose it to free the keys.
/// Issuing is thread-safe (each call builds its own request). Every issued certificate carries its
/// private key and is re-imported from PKCS#12 so that SslStream can use the key on every platform.
/// </remarks>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly X509Certificate2 _root;
    private readonly ECDsa _rootKey;

    private TestCertificateAuthority(X509Certificate2 root, ECDsa rootKey)
    {
        _root = root;
        _rootKey = rootKey;
    }

    /// <summary>The CA certificate (public part only), to trust on the client side.</summary>
    public X509Certificate2 Certificate => _root;

    /// <summary>Creates a new root, valid from a day ago for ten years.</summary>
    /// <param name="subjectName">The root's distinguished name.</param>
    public static TestCertificateAuthority Create(string subjectName = "CN=KafkaActors Test CA")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subjectName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var selfSigned = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        // Keep only the public certificate: the key signs through _rootKey.
        var root = X509CertificateLoader.LoadCertificate(selfSigned.RawData);
        return new TestCertificateAuthority(root, key);
    }

    /// <summary>
    /// Issues a server certificate. By default its subject alternative names are DNS <c>localhost</c> and
    /// IP <c>127.0.0.1</c>, and it is valid from a day ago for a year.
    /// </summary>
    /// <param name="dnsNames">DNS names for the SAN extension; null means <c>localhost</c>.</param>
    /// <param name="ipAddresses">IP addresses for the SAN extension; null means <c>127.0.0.1</c>.</param>
    /// <param name="notBefore">Start of validity; default a day ago.</param>
    /// <param name="notAfter">End of validity; default a year from now. A past value makes an expired certificate.</param>
    public X509Certificate2 IssueServerCertificate(
        IEnumerable<string>? dnsNames = null, IEnumerable<IPAddress>? ipAddresses = null,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var dns = dnsNames?.ToArray() ?? ["localhost"];
        var ips = ipAddresses?.ToArray() ?? [IPAddress.Loopback];
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dns) san.AddDnsName(name);
        foreach (var ip in ips) san.AddIpAddress(ip);
        var subject = "CN=" + (dns.Length > 0 ? dns[0] : ips.Length > 0 ? ips[0].ToString() : "kafka-broker");
        return Issue(subject, san.Build(), serverAuth: true, notBefore, notAfter);
    }

    /// <summary>An expired server certificate for the default names: valid from ten days ago until yesterday.</summary>
    public X509Certificate2 IssueExpiredServerCertificate()
    {
        var now = DateTimeOffset.UtcNow;
        return IssueServerCertificate(notBefore: now.AddDays(-10), notAfter: now.AddDays(-1));
    }

    /// <summary>A valid server certificate naming only <paramref name="dnsName"/> (no IP), so a client connecting to 127.0.0.1 or localhost must refuse it.</summary>
    public X509Certificate2 IssueWrongHostServerCertificate(string dnsName = "wrong-host.invalid") =>
        IssueServerCertificate(dnsNames: [dnsName], ipAddresses: []);

    /// <summary>Issues a client certificate for mutual TLS, with subject <c>CN=<paramref name="commonName"/></c>.</summary>
    /// <param name="commonName">The subject's common name.</param>
    /// <param name="notBefore">Start of validity; default a day ago.</param>
    /// <param name="notAfter">End of validity; default a year from now.</param>
    public X509Certificate2 IssueClientCertificate(string commonName = "kafka-client",
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(commonName);
        return Issue("CN=" + commonName, san: null, serverAuth: false, notBefore, notAfter);
    }

    /// <summary>
    /// True if <paramref name="certificate"/> chains to this CA (no revocation check; validity dates are checked).
    /// Used by the front to validate client certificates.
    /// </summary>
    public bool Validates(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>Frees the CA's private key.</summary>
    public void Dispose()
    {
        _rootKey.Dispose();
        _root.Dispose();
    }

    private X509Certificate2 Issue(string subject, X509Extension? san, bool serverAuth, DateTimeOffset? notBefore, DateTimeOffset? notAfter)
    {
        var now = DateTimeOffset.UtcNow;
        var from = notBefore ?? now.AddDays(-1);
        var until = notAfter ?? now.AddYears(1);
        // A certificate may not outlive its issuer's validity window.
        if (until > _root.NotAfter) until = _root.NotAfter;
        if (from < _root.NotBefore) from = _root.NotBefore;

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_root, true, false));
        if (san is not null) request.CertificateExtensions.Add(san);

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        var generator = X509SignatureGenerator.CreateForECDsa(_rootKey);
        using var issued = request.Create(_root.SubjectName, generator, from, until, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12: SslStream on Windows cannot use an ephemeral key, and it costs nothing elsewhere.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }
}
