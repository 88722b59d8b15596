using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// The certificate files of a secure test cluster, written into one directory so that clients (ours, Confluent,
/// the Java CLI tools) can point <c>ssl.truststore.location</c>, <c>ssl.ca.location</c>, <c>ssl.keystore.location</c>
/// and friends at them. Immutable once written; <see cref="ToString"/> never shows the passwords.
/// </summary>
/// <remarks>
/// Files: <c>ca.pem</c> (CA certificate), <c>client.pem</c> (client certificate followed by the CA),
/// <c>client.key</c> (PKCS#8 PEM, encrypted with <see cref="ClientKeyPassword"/> when that is set),
/// <c>client-keystore.pem</c> (key then chain, the layout Java's PEM keystore reads),
/// <c>client.p12</c> (key and chain) and <c>truststore.p12</c> (the CA), both protected with <see cref="StorePassword"/>.
/// Java ignores certificate-only PKCS#12 entries without its private trust attribute, so Java clients should use
/// <c>ssl.truststore.type=PEM</c> with <see cref="CaCertificatePem"/>.
/// </remarks>
public sealed class TestCertificateFiles
{
    private TestCertificateFiles(string directory, string? clientKeyPassword, string storePassword)
    {
        Directory = directory;
        ClientKeyPassword = clientKeyPassword;
        StorePassword = storePassword;
    }

    /// <summary>The directory holding the files.</summary>
    public string Directory { get; }

    /// <summary>The CA certificate (PEM): <c>ssl.ca.location</c>, or <c>ssl.truststore.location</c> with type PEM.</summary>
    public string CaCertificatePem => Path.Combine(Directory, "ca.pem");

    /// <summary>The client certificate chain (PEM): <c>ssl.certificate.location</c>.</summary>
    public string ClientCertificatePem => Path.Combine(Directory, "client.pem");

    /// <summary>The client's PKCS#8 private key (PEM): <c>ssl.key.location</c>.</summary>
    public string ClientKeyPem => Path.Combine(Directory, "client.key");

    /// <summary>Private key and certificate chain in one PEM file: Java's <c>ssl.keystore.location</c> with <c>ssl.keystore.type=PEM</c>.</summary>
    public string ClientKeystorePem => Path.Combine(Directory, "client-keystore.pem");

    /// <summary>Client key and chain as PKCS#12 (<see cref="StorePassword"/>): <c>ssl.keystore.location</c>.</summary>
    public string ClientKeystorePkcs12 => Path.Combine(Directory, "client.p12");

    /// <summary>The CA certificate as PKCS#12 (<see cref="StorePassword"/>).</summary>
    public string TruststorePkcs12 => Path.Combine(Directory, "truststore.p12");

    /// <summary>Password of the encrypted <see cref="ClientKeyPem"/> (<c>ssl.key.password</c>); null when the key is not encrypted.</summary>
    public string? ClientKeyPassword { get; }

    /// <summary>Password of both PKCS#12 files (<c>ssl.keystore.password</c>, <c>ssl.truststore.password</c>).</summary>
    public string StorePassword { get; }

    /// <summary>
    /// Writes the files for <paramref name="authority"/> and <paramref name="clientCertificate"/> (which must hold its
    /// ECDSA private key) into <paramref name="directory"/>, creating it if needed.
    /// </summary>
    /// <param name="authority">The CA whose certificate the trust stores hold.</param>
    /// <param name="clientCertificate">The client certificate, with its private key.</param>
    /// <param name="directory">Where the files go.</param>
    /// <param name="clientKeyPassword">Encrypts the PEM private key (PBES2, AES-256-CBC) when not null.</param>
    /// <param name="storePassword">Protects the PKCS#12 files.</param>
    public static TestCertificateFiles Write(TestCertificateAuthority authority, X509Certificate2 clientCertificate, string directory,
        string? clientKeyPassword = null, string storePassword = "changeit")
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentNullException.ThrowIfNull(clientCertificate);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(storePassword);
        System.IO.Directory.CreateDirectory(directory);
        var files = new TestCertificateFiles(directory, clientKeyPassword, storePassword);

        var caPem = authority.Certificate.ExportCertificatePem();
        var chainPem = clientCertificate.ExportCertificatePem() + "\n" + caPem + "\n";
        using var key = clientCertificate.GetECDsaPrivateKey()
            ?? throw new ArgumentException("The client certificate has no ECDSA private key.", nameof(clientCertificate));
        var keyPem = clientKeyPassword is null
            ? key.ExportPkcs8PrivateKeyPem()
            : key.ExportEncryptedPkcs8PrivateKeyPem(clientKeyPassword,
                new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000));

        File.WriteAllText(files.CaCertificatePem, caPem + "\n", Encoding.ASCII);
        File.WriteAllText(files.ClientCertificatePem, chainPem, Encoding.ASCII);
        File.WriteAllText(files.ClientKeyPem, keyPem + "\n", Encoding.ASCII);
        File.WriteAllText(files.ClientKeystorePem, keyPem + "\n" + chainPem, Encoding.ASCII);

        var chain = new X509Certificate2Collection { clientCertificate, authority.Certificate };
        File.WriteAllBytes(files.ClientKeystorePkcs12, chain.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, storePassword)
            ?? throw new CryptographicException("PKCS#12 export returned nothing."));
        var trust = new X509Certificate2Collection { authority.Certificate };
        File.WriteAllBytes(files.TruststorePkcs12, trust.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, storePassword)
            ?? throw new CryptographicException("PKCS#12 export returned nothing."));
        return files;
    }

    /// <inheritdoc/>
    public override string ToString() => $"TestCertificateFiles({Directory}, passwords [hidden])";
}
