using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KafkaActors.Security;

/// <summary>
/// Builds the SslStream client options for one broker connection from <see cref="TlsSettings"/>: SNI, TLS
/// versions, cipher suites, the client certificate for mutual TLS, and a certificate check that follows
/// Java's (PKIX chain to the configured trust anchors or the system's, no revocation check, no issuer download, host name against
/// subjectAltName when <c>ssl.endpoint.identification.algorithm=https</c>). When it rejects a certificate it
/// tells <c>onRejected</c> one reason, for the transport to raise as an SslAuthenticationException.
/// Stateless; the options it returns belong to one handshake.
/// </summary>
internal static class TlsClientOptions
{
    private const string SubjectAltNameOid = "2.5.29.17";

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    public static SslClientAuthenticationOptions Create(TlsSettings tls, string targetHost, Action<string> onRejected)
    {
        ArgumentNullException.ThrowIfNull(tls);
        ArgumentNullException.ThrowIfNull(onRejected);
        var options = new SslClientAuthenticationOptions
        {
            // .NET sends no SNI for an IP literal (RFC 6066 allows only host names there), as Java does.
            TargetHost = targetHost,
            EnabledSslProtocols = tls.EnabledSslProtocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            // SslStream's own chain (its issuers are all Check takes from it) fetches no certificate either; see Check.
            CertificateChainPolicy = new X509ChainPolicy { RevocationMode = X509RevocationMode.NoCheck, DisableCertificateDownloads = true },
            EncryptionPolicy = EncryptionPolicy.RequireEncryption,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                var reason = Check(tls, targetHost, certificate, chain);
                if (reason is null) return true;
                onRejected(reason);
                return false;
            },
        };
        if (tls.ClientCertificate is { } client)
        {
            options.ClientCertificateContext = SslStreamCertificateContext.Create(client, tls.ClientCertificateChain, offline: true);
        }
        if (tls.CipherSuites is { } suites && !OperatingSystem.IsWindows())
        {
            options.CipherSuitesPolicy = new CipherSuitesPolicy(suites);
        }
        return options;
    }

    /// <summary>
    /// Null when the broker's certificate is acceptable, else why not. The chain is built here, ignoring
    /// the one SslStream built (with the system's roots); only the intermediates the broker sent are taken from it.
    /// </summary>
    internal static string? Check(TlsSettings tls, string targetHost, X509Certificate? presented, X509Chain? sent)
    {
        if (presented is null) return "the broker presented no certificate.";
        using var copy = presented is X509Certificate2 ? null : X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        var leaf = copy ?? (X509Certificate2)presented;

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.ApplicationPolicy.Add(ServerAuthentication);
        // No issuer fetched from the certificate's URL (AIA), with the system's roots too, as Java's PKIX check (which
        // does so only with com.sun.security.enableAIAcaIssuers): the broker sends its intermediates. The handshake's
        // continuation may run on the socket engine's thread (inline completions), where a download would stall its sockets.
        policy.DisableCertificateDownloads = true;
        if (tls.TrustedCertificates is { } roots)
        {
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(roots);
        }
        if (sent is not null)
        {
            foreach (var element in sent.ChainElements)
            {
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span)) policy.ExtraStore.Add(element.Certificate);
            }
            policy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
        }

        if (!chain.Build(leaf))
        {
            var statuses = chain.ChainElements.SelectMany(e => e.ChainElementStatus).Concat(chain.ChainStatus).Select(s => s.Status)
                .Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s);
            const X509ChainStatusFlags untrusted = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain
                | X509ChainStatusFlags.NotSignatureValid | X509ChainStatusFlags.ExplicitDistrust;
            if ((statuses & untrusted) != 0)
                return $"the broker's certificate ({leaf.Subject}) is not trusted: it is not signed by a CA in {TrustedBy(tls)}.";
            if ((statuses & X509ChainStatusFlags.NotTimeValid) != 0)
                return Expired(chain, leaf);
            return $"the broker's certificate ({leaf.Subject}) is not valid: " +
                string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).DefaultIfEmpty(statuses.ToString())) + ".";
        }

        if (tls.EndpointIdentification && !MatchesHost(leaf, targetHost))
            return $"the host name '{targetHost}' does not match the broker's certificate, whose names are {Names(leaf)} " +
                "(ssl.endpoint.identification.algorithm=https).";
        return null;
    }

    /// <summary>
    /// As Java's HostnameChecker (RFC 2818, RFC 6125): an IP literal must equal an iPAddress entry of the
    /// subjectAltName (MatchesHostname would also take a dNSName spelling the address); a name is matched
    /// against the dNSName entries (wildcards in the first label), or the subject's CN without a subjectAltName.
    /// </summary>
    internal static bool MatchesHost(X509Certificate2 certificate, string targetHost)
    {
        var host = targetHost.StartsWith('[') && targetHost.EndsWith(']') ? targetHost[1..^1] : targetHost;
        if (!IPAddress.TryParse(host, out var address)) return certificate.MatchesHostname(host, allowWildcards: true, allowCommonName: true);
        return SubjectAltName(certificate)?.EnumerateIPAddresses().Any(ip => ip.Equals(address)) ?? false;
    }

    private static X509SubjectAlternativeNameExtension? SubjectAltName(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.FirstOrDefault(e => e.Oid?.Value == SubjectAltNameOid);
        return extension is null ? null
            : extension as X509SubjectAlternativeNameExtension ?? new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
    }

    private static string TrustedBy(TlsSettings tls) => tls.TrustedCertificates is null
        ? TlsSettings.OperatingSystemTrustStore
        : tls.TrustStoreDescription;

    private static string Expired(X509Chain chain, X509Certificate2 leaf)
    {
        var now = DateTime.Now;
        var late = chain.ChainElements.Select(e => e.Certificate).FirstOrDefault(c => c.NotAfter < now || c.NotBefore > now) ?? leaf;
        var which = late.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span) ? "the broker's certificate" : "a certificate in the broker's chain";
        return late.NotAfter < now
            ? $"{which} ({late.Subject}) has expired: it was valid until {Utc(late.NotAfter)}."
            : $"{which} ({late.Subject}) is not yet valid: it is valid from {Utc(late.NotBefore)}.";
    }

    private static string Utc(DateTime local) => local.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The subjectAltName DNS and IP entries, or the subject when there are none.</summary>
    private static string Names(X509Certificate2 certificate)
    {
        var san = SubjectAltName(certificate);
        if (san is null) return $"none in a subjectAltName (subject: {certificate.Subject})";
        var names = san.EnumerateDnsNames().Select(n => "DNS:" + n)
            .Concat(san.EnumerateIPAddresses().Select(ip => "IP:" + ip.ToString()))
            .ToList();
        return names.Count == 0 ? "no DNS or IP entries in the subjectAltName" : string.Join(", ", names);
    }
}
