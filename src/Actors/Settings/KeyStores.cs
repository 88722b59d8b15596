using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using KafkaActors.Errors;
using KafkaActors.Security;
using C = KafkaActors.Settings.ProducerConfig;

namespace KafkaActors.Settings;

/// <summary>
/// Loads the trust store and key store the <c>ssl.*</c> settings name, from files or inline PEM (KIP-651),
/// when settings are read, so that a missing file or a wrong password fails at construction. Reads PEM and
/// PKCS12; the type is inferred from the content when <c>ssl.*.type</c> is not set (Java defaults to JKS,
/// which .NET cannot read). Every failure is a ConfigException naming the key; passwords are never printed.
/// Stateless, thread-safe.
/// </summary>
internal static class KeyStores
{
    private enum StoreType { Pem, Pkcs12 }

    /// <summary>The trust anchors, or null for the operating system's store, and where they came from.</summary>
    public static (X509Certificate2Collection? Certificates, string Description) LoadTrustStore(ConfigReader r)
    {
        var type = ParseType(C.SslTruststoreType, r.String(C.SslTruststoreType));
        var location = r.String(C.SslTruststoreLocation).Trim();
        var inline = r.String(C.SslTruststoreCertificates).Trim();
        var password = r.String(C.SslTruststorePassword);

        if (inline.Length > 0)
        {
            if (location.Length > 0)
                throw new ConfigException(C.SslTruststoreCertificates, "(PEM)", $"cannot be set together with {C.SslTruststoreLocation}; use one of them.");
            if (type == StoreType.Pkcs12)
                throw new ConfigException(C.SslTruststoreType, r.String(C.SslTruststoreType), $"must be PEM (or unset) with {C.SslTruststoreCertificates}.");
            CheckNoPemStorePassword(C.SslTruststorePassword, password);
            return (PemCertificates(C.SslTruststoreCertificates, inline), C.SslTruststoreCertificates);
        }
        if (location.Length == 0) return (null, TlsSettings.OperatingSystemTrustStore);

        var bytes = ReadFile(C.SslTruststoreLocation, location);
        var description = $"{C.SslTruststoreLocation} ({location})";
        X509Certificate2Collection certificates;
        if (Detect(C.SslTruststoreLocation, location, bytes, type, C.SslTruststoreType) == StoreType.Pem)
        {
            CheckNoPemStorePassword(C.SslTruststorePassword, password);
            certificates = PemCertificates(C.SslTruststoreLocation, Encoding.UTF8.GetString(bytes), location);
        }
        else
        {
            certificates = Pkcs12(bytes, password, C.SslTruststoreLocation, location, C.SslTruststorePassword);
            if (certificates.Count == 0)
                throw new ConfigException(C.SslTruststoreLocation, location, "the PKCS12 store holds no certificate.");
        }
        return (certificates, description);
    }

    /// <summary>The client certificate with its private key and the certificates sent along with it; nulls when no key store is set.</summary>
    public static (X509Certificate2? Certificate, X509Certificate2Collection? Chain) LoadKeyStore(ConfigReader r)
    {
        var type = ParseType(C.SslKeystoreType, r.String(C.SslKeystoreType));
        var location = r.String(C.SslKeystoreLocation).Trim();
        var inlineChain = r.String(C.SslKeystoreCertificateChain).Trim();
        var inlineKey = r.String(C.SslKeystoreKey).Trim();
        var storePassword = r.String(C.SslKeystorePassword);
        var keyPassword = r.String(C.SslKeyPassword);

        if (inlineChain.Length > 0 || inlineKey.Length > 0)
        {
            if (location.Length > 0)
            {
                var key = inlineChain.Length > 0 ? C.SslKeystoreCertificateChain : C.SslKeystoreKey;
                throw new ConfigException(key, "(PEM)", $"cannot be set together with {C.SslKeystoreLocation}; use one of them.");
            }
            if (inlineChain.Length == 0)
                throw new ConfigException(C.SslKeystoreCertificateChain, "", $"is required with {C.SslKeystoreKey}.");
            if (inlineKey.Length == 0)
                throw new ConfigException(C.SslKeystoreKey, "", $"is required with {C.SslKeystoreCertificateChain}.");
            if (type == StoreType.Pkcs12)
                throw new ConfigException(C.SslKeystoreType, r.String(C.SslKeystoreType), $"must be PEM (or unset) with {C.SslKeystoreCertificateChain} and {C.SslKeystoreKey}.");
            CheckNoPemStorePassword(C.SslKeystorePassword, storePassword);
            return FromPem(inlineChain, C.SslKeystoreCertificateChain, inlineKey, C.SslKeystoreKey, keyPassword, null);
        }
        if (location.Length == 0) return (null, null);

        var bytes = ReadFile(C.SslKeystoreLocation, location);
        if (Detect(C.SslKeystoreLocation, location, bytes, type, C.SslKeystoreType) == StoreType.Pem)
        {
            CheckNoPemStorePassword(C.SslKeystorePassword, storePassword);
            var text = Encoding.UTF8.GetString(bytes);
            return FromPem(text, C.SslKeystoreLocation, text, C.SslKeystoreLocation, keyPassword, location);
        }

        var all = Pkcs12(bytes, storePassword.Length > 0 ? storePassword : keyPassword, C.SslKeystoreLocation, location, C.SslKeystorePassword);
        var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw new ConfigException(C.SslKeystoreLocation, location, "the PKCS12 store holds no private key entry (a key store needs the client's certificate with its key).");
        var chain = new X509Certificate2Collection(all.Where(c => !ReferenceEquals(c, leaf)).ToArray());
        return (ForSslStream(leaf), chain);
    }

    private static StoreType? ParseType(string key, string value) => value.Trim().ToUpperInvariant() switch
    {
        "" => null,
        "PEM" => StoreType.Pem,
        "PKCS12" => StoreType.Pkcs12,
        "JKS" or "JCEKS" => throw new ConfigException(key, value, "JKS stores cannot be read by .NET. " + ConvertAdvice),
        _ => throw new ConfigException(key, value, "must be PEM or PKCS12 (or unset: inferred from the file)."),
    };

    private const string ConvertAdvice =
        "Convert the store to PKCS12 with `keytool -importkeystore -srckeystore store.jks -srcstoretype JKS " +
        "-destkeystore store.p12 -deststoretype PKCS12` and set the type to PKCS12, or export its certificates as PEM " +
        "(`keytool -exportcert -rfc -keystore store.jks -alias <alias> -file ca.pem`) and set the type to PEM.";

    private static StoreType Detect(string locationKey, string location, byte[] bytes, StoreType? declared, string typeKey)
    {
        if (bytes.Length >= 4 && ((bytes[0] == 0xFE && bytes[1] == 0xED && bytes[2] == 0xFE && bytes[3] == 0xED)
                                  || (bytes[0] == 0xCE && bytes[1] == 0xCE && bytes[2] == 0xCE && bytes[3] == 0xCE)))
            throw new ConfigException(locationKey, location, "is a JKS store, which .NET cannot read. " + ConvertAdvice);
        var looksPem = Encoding.Latin1.GetString(bytes).Contains("-----BEGIN ", StringComparison.Ordinal);
        return declared switch
        {
            StoreType.Pem when !looksPem => throw new ConfigException(locationKey, location, $"is not a PEM file (no -----BEGIN line), but {typeKey} is PEM."),
            StoreType.Pkcs12 when looksPem => throw new ConfigException(locationKey, location, $"is a PEM file, but {typeKey} is PKCS12; set it to PEM."),
            { } type => type,
            null when looksPem => StoreType.Pem,
            null when bytes.Length > 0 && bytes[0] == 0x30 => StoreType.Pkcs12,
            null => throw new ConfigException(locationKey, location, "is neither a PEM file nor a PKCS12 store."),
        };
    }

    private static byte[] ReadFile(string key, string location)
    {
        try
        {
            return File.ReadAllBytes(location);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigException(key, location, $"cannot be read: {e.Message}");
        }
    }

    /// <summary>As Java: a PEM store has no store password (only the key may be encrypted, with ssl.key.password).</summary>
    private static void CheckNoPemStorePassword(string key, string password)
    {
        if (password.Length > 0)
            throw new ConfigException(key, password, key == C.SslKeystorePassword
                ? $"cannot be set for a PEM key store; only {C.SslKeyPassword} may be (for an encrypted key)."
                : "cannot be set for a PEM trust store.");
    }

    private static X509Certificate2Collection PemCertificates(string key, string pem, string? location = null)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(SeparateBlocks(pem));
        }
        catch (CryptographicException)
        {
            throw new ConfigException(key, location ?? "(PEM)", "holds a PEM certificate that cannot be read.");
        }
        if (certificates.Count == 0) throw new ConfigException(key, location ?? "(PEM)", "holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        return certificates;
    }

    private static X509Certificate2Collection Pkcs12(byte[] bytes, string password, string locationKey, string location, string passwordKey)
    {
        try
        {
            return X509CertificateLoader.LoadPkcs12Collection(bytes, password.Length > 0 ? password : null);
        }
        catch (CryptographicException)
        {
            if (password.Length == 0)
                throw new ConfigException(locationKey, location, $"the PKCS12 store cannot be opened without {passwordKey} (or it is damaged).");
            throw new ConfigException(passwordKey, password, $"does not open the PKCS12 store at {locationKey} ({location}): a wrong password, or a damaged store.");
        }
    }

    /// <summary>The certificate chain's first entry with the private key (PKCS#8, possibly encrypted with ssl.key.password).</summary>
    private static (X509Certificate2, X509Certificate2Collection) FromPem(
        string certificatesPem, string certificatesKey, string keyPem, string keyKey, string keyPassword, string? location)
    {
        var certificates = PemCertificates(certificatesKey, certificatesPem, location);
        var shown = location ?? "(PEM)";
        var (label, keyText) = FindPrivateKey(keyPem) ?? throw new ConfigException(keyKey, shown, "holds no PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----).");
        var encrypted = label == "ENCRYPTED PRIVATE KEY";
        if (encrypted && keyPassword.Length == 0)
            throw new ConfigException(C.SslKeyPassword, "", $"is required: the private key in {keyKey} is encrypted.");
        var publicKey = certificates[0];
        using AsymmetricAlgorithm key = publicKey.GetKeyAlgorithm() switch
        {
            RsaOid => RSA.Create(),
            EcOid => ECDsa.Create(),
            _ => throw new ConfigException(certificatesKey, shown, "the first certificate's key is neither RSA nor EC."),
        };
        try
        {
            if (encrypted) key.ImportFromEncryptedPem(keyText, keyPassword);
            else key.ImportFromPem(keyText);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            if (encrypted)
                throw new ConfigException(C.SslKeyPassword, keyPassword, $"does not decrypt the private key in {keyKey}: a wrong password, or a key that cannot be read.");
            throw new ConfigException(keyKey, shown, "holds a private key that cannot be read as the first certificate's key type (RSA or EC).");
        }
        X509Certificate2 leaf;
        try
        {
            leaf = key switch
            {
                RSA rsa => publicKey.CopyWithPrivateKey(rsa),
                ECDsa ec => publicKey.CopyWithPrivateKey(ec),
                _ => throw new InvalidOperationException("unreachable"),
            };
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new ConfigException(keyKey, shown, "the private key does not belong to the first certificate of the chain.");
        }
        var chain = new X509Certificate2Collection(certificates.Skip(1).ToArray());
        return (ForSslStream(leaf), chain);
    }

    private static readonly string[] KeyLabels = ["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

    /// <summary>
    /// A properties file's continued lines are joined without new lines, which can glue one PEM block's END
    /// line to the next BEGIN line; Java's PEM parser copes, .NET's needs them apart.
    /// </summary>
    private static string SeparateBlocks(string pem) => pem.Replace("----------BEGIN ", "-----\n-----BEGIN ", StringComparison.Ordinal);

    private static (string Label, string Text)? FindPrivateKey(string pem)
    {
        var rest = SeparateBlocks(pem).AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var label = rest.Span[fields.Label].ToString();
            if (KeyLabels.Contains(label, StringComparer.Ordinal)) return (label, rest.Span[fields.Location].ToString());
            rest = rest[fields.Location.End..];
        }
        return null;
    }

    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    /// <summary>Windows' TLS (SChannel) cannot use a key that exists only in memory; elsewhere the certificate is used as loaded.</summary>
    private static X509Certificate2 ForSslStream(X509Certificate2 certificate)
    {
        if (!OperatingSystem.IsWindows()) return certificate;
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }
}
