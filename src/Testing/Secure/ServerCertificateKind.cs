namespace KafkaActors.Testing.Secure;

/// <summary>Which certificate the front's TLS listeners present.</summary>
public enum ServerCertificateKind
{
    /// <summary>Issued by the test CA for <c>localhost</c> and <c>127.0.0.1</c>, currently valid.</summary>
    Valid,

    /// <summary>Issued by the test CA for the right names, but expired yesterday: clients must refuse it.</summary>
    Expired,

    /// <summary>Issued by the test CA and valid, but only for <c>wrong-host.invalid</c>: clients that verify the host name must refuse it.</summary>
    WrongHost,
}
