using System.Diagnostics;
using KafkaActors.Errors;
using KafkaActors.Settings;
using KafkaActors.Testing;
using KafkaActors.Testing.Secure;
using KafkaActors.Tests.Support;
using Xunit;
using static KafkaActors.Tests.Support.RecordAssert;

namespace KafkaActors.Tests.Security;

/// <summary>
/// Our producer against the embedded cluster's secure front, for every protocol and mechanism; what it wrote is
/// read back through the same front by Confluent's consumer (librdkafka's own TLS and SASL) and compared.
/// </summary>
public sealed class SecureClusterTests
{
    private const int Partitions = 3;

    public static TheoryData<ListenerSecurityProtocol, string?> ProtocolsAndMechanisms => new()
    {
        { ListenerSecurityProtocol.Plaintext, null },
        { ListenerSecurityProtocol.Ssl, null },
        { ListenerSecurityProtocol.SaslPlaintext, "PLAIN" },
        { ListenerSecurityProtocol.SaslPlaintext, "SCRAM-SHA-256" },
        { ListenerSecurityProtocol.SaslPlaintext, "SCRAM-SHA-512" },
        { ListenerSecurityProtocol.SaslPlaintext, "OAUTHBEARER" },
        { ListenerSecurityProtocol.SaslSsl, "PLAIN" },
        { ListenerSecurityProtocol.SaslSsl, "SCRAM-SHA-256" },
        { ListenerSecurityProtocol.SaslSsl, "SCRAM-SHA-512" },
        { ListenerSecurityProtocol.SaslSsl, "OAUTHBEARER" },
    };

    [Theory]
    [MemberData(nameof(ProtocolsAndMechanisms))]
    public async Task Produces_through_every_protocol_and_mechanism(ListenerSecurityProtocol protocol, string? mechanism)
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions { Brokers = 2, SecurityProtocol = protocol });
        var topic = CreateTopic(kafka, "secure");

        await ProduceAndVerify(kafka, topic, kafka.JavaClientProperties("alice", mechanism), count: 600);

        if (protocol.UsesSasl()) Assert.True(kafka.Counters.TotalAuthentications >= 2, "a connection per broker authenticated");
    }

    [Theory]
    [InlineData("PEM")]
    [InlineData("PKCS12")]
    public async Task Mutual_TLS_with_a_client_certificate(string keystoreType)
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
        {
            SecurityProtocol = ListenerSecurityProtocol.SaslSsl,
            RequireClientCertificate = true,
            ClientKeyPassword = "key-secret",
        });
        var topic = CreateTopic(kafka, "mtls");
        var properties = kafka.JavaClientProperties("bob", "SCRAM-SHA-512");
        if (keystoreType == "PKCS12")
        {
            properties["ssl.keystore.type"] = "PKCS12";
            properties["ssl.keystore.location"] = kafka.Certificates.ClientKeystorePkcs12;
            properties["ssl.keystore.password"] = kafka.Certificates.StorePassword;
            properties["ssl.truststore.type"] = "PKCS12";
            properties["ssl.truststore.location"] = kafka.Certificates.TruststorePkcs12;
            properties["ssl.truststore.password"] = kafka.Certificates.StorePassword;
        }

        await ProduceAndVerify(kafka, topic, properties, count: 200);
    }

    [Fact]
    public async Task Host_name_verification_refuses_a_certificate_for_another_host_unless_turned_off()
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
        {
            SecurityProtocol = ListenerSecurityProtocol.Ssl,
            ServerCertificateKind = ServerCertificateKind.WrongHost,
        });
        var topic = CreateTopic(kafka, "wronghost");

        var refused = await SendExpectingFailure(kafka.JavaClientProperties(), topic);
        var ssl = Assert.IsType<SslAuthenticationException>(refused);
        Assert.Contains("127.0.0.1", ssl.Message);
        Assert.Contains("does not match", ssl.Message);

        var lenient = kafka.JavaClientProperties();
        lenient["ssl.endpoint.identification.algorithm"] = "";
        var reader = kafka.ConfluentClientConfig();
        reader.SslEndpointIdentificationAlgorithm = Confluent.Kafka.SslEndpointIdentificationAlgorithm.None;
        await ProduceAndVerify(kafka, topic, lenient, count: 100, reader);
    }

    [Fact]
    public async Task An_expired_certificate_is_refused_with_a_clear_SslAuthenticationException()
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
        {
            SecurityProtocol = ListenerSecurityProtocol.SaslSsl,
            ServerCertificateKind = ServerCertificateKind.Expired,
        });
        var topic = CreateTopic(kafka, "expired");

        var refused = await SendExpectingFailure(kafka.JavaClientProperties("alice", "PLAIN"), topic);

        var ssl = Assert.IsType<SslAuthenticationException>(refused);
        Assert.Contains("expired", ssl.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, kafka.Counters.TotalAuthentications);
    }

    [Fact]
    public async Task A_certificate_from_an_untrusted_CA_is_refused()
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions { SecurityProtocol = ListenerSecurityProtocol.Ssl });
        var topic = CreateTopic(kafka, "untrusted");
        var properties = kafka.JavaClientProperties();
        // No truststore: the operating system's roots, which do not know the test CA.
        properties.Remove("ssl.truststore.type");
        properties.Remove("ssl.truststore.location");

        var refused = await SendExpectingFailure(properties, topic);

        var ssl = Assert.IsType<SslAuthenticationException>(refused);
        Assert.Contains("not trusted", ssl.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_refused_certificate_is_retried_with_backoff_not_in_a_tight_loop()
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions { SecurityProtocol = ListenerSecurityProtocol.Ssl, ServerCertificateKind = ServerCertificateKind.Expired });
        var topic = CreateTopic(kafka, "backoff");
        var properties = kafka.JavaClientProperties();
        properties["max.block.ms"] = "4000";
        await using var producer = new KafkaProducer<string?, string?>(ProducerSettings.FromProperties(properties));

        await Assert.ThrowsAnyAsync<KafkaException>(() => producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "v")));
        await Task.Delay(TimeSpan.FromSeconds(4));

        // retry.backoff.ms 100 doubling to 1 s: about 8 connections in 4-5 s; a tight loop would make thousands.
        Assert.InRange(kafka.Counters.ConnectionsAccepted, 2, 20);
        Assert.Equal(0, kafka.Counters.TotalAuthentications);
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-512")]
    public async Task A_wrong_password_fails_sends_promptly_without_showing_the_password(string mechanism)
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions { Brokers = 2, SecurityProtocol = ListenerSecurityProtocol.SaslSsl });
        var topic = CreateTopic(kafka, "wrongpass");
        var properties = kafka.JavaClientProperties("alice", mechanism);
        properties["sasl.jaas.config"] = properties["sasl.jaas.config"].Replace("alice-secret", "Wr0ng-Passw0rd", StringComparison.Ordinal);

        var refused = await SendExpectingFailure(properties, topic);

        var sasl = Assert.IsType<SaslAuthenticationException>(refused);
        Assert.Equal(mechanism, sasl.Mechanism);
        Assert.Contains("Authentication failed", sasl.Message);
        Assert.DoesNotContain("Wr0ng-Passw0rd", sasl.ToString());
        Assert.True(kafka.Counters.FailedAuthentications >= 1);
    }

    [Fact]
    public async Task Re_authenticates_before_sessions_expire_and_refreshes_short_lived_tokens_losing_nothing()
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
        {
            Brokers = 2,
            SecurityProtocol = ListenerSecurityProtocol.SaslSsl,
            // Re-authentication comes at 85-95% of it (as Java's): 6 s leaves a loaded machine 300-900 ms of margin.
            SessionLifetime = TimeSpan.FromSeconds(6),
        });
        var topic = CreateTopic(kafka, "reauth");
        var properties = kafka.JavaClientProperties("alice", "OAUTHBEARER");
        // Tokens that live 4 s: each re-authentication after the first few must carry a refreshed one.
        properties["sasl.jaas.config"] =
            "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"alice\" unsecuredLoginLifetimeSeconds=\"4\";";
        properties["sasl.login.refresh.min.period.seconds"] = "0";
        properties["sasl.login.refresh.buffer.seconds"] = "0";
        properties["linger.ms"] = "2";

        var sent = new List<ProducerRecord<string?, string?>>();
        var metadata = new List<Task<RecordMetadata>>();
        var clock = Stopwatch.StartNew();
        await using (var producer = new KafkaProducer<string?, string?>(ProducerSettings.FromProperties(properties)))
        {
            var i = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                foreach (var record in KeyedWorkload.Build(topic, 100, keys: 20, seed: i, baseTimestamp: 1_700_000_000_000 + i * 100L))
                {
                    var keyed = new ProducerRecord<string?, string?>(topic, null, record.Timestamp, record.Key, $"{i}|{record.Value}", record.Headers);
                    sent.Add(keyed);
                    metadata.Add(producer.SendAsync(keyed));
                }
                i++;
                await Task.Delay(100); // about 30,000 records: under the mock's 5 MiB per partition, so all can be read back
            }
            await Task.WhenAll(metadata).WaitAsync(TimeSpan.FromSeconds(30));
        }

        // 30 s with 6 s sessions: about 5 per connection, one per broker; none missed.
        Assert.True(kafka.Counters.TotalReauthentications >= 8, $"only {kafka.Counters.TotalReauthentications} re-authentications");
        Assert.Equal(0, kafka.Counters.ExpiredSessionClosures);
        Assert.Equal(0, kafka.Counters.FailedAuthentications);
        Verify(kafka.ConfluentClientConfig(), topic, sent, metadata.Select(t => t.Result).ToList());
    }

    [Fact]
    public async Task OAUTHBEARER_tokens_from_an_OIDC_token_endpoint_are_fetched_refreshed_and_accepted()
    {
        await using var endpoint = new TokenEndpointServer("kafka-actors-client", "cl!ent-s3cret", expectedScope: "kafka", lifetimeSeconds: 4, subject: "alice");
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
        {
            SecurityProtocol = ListenerSecurityProtocol.SaslSsl,
            SessionLifetime = TimeSpan.FromSeconds(2),
        });
        var topic = CreateTopic(kafka, "oidc");
        var properties = kafka.JavaClientProperties("alice", "OAUTHBEARER");
        properties["sasl.oauthbearer.token.endpoint.url"] = endpoint.Url.ToString();
        properties["sasl.jaas.config"] =
            "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId=\"kafka-actors-client\" clientSecret=\"cl!ent-s3cret\" scope=\"kafka\";";
        properties["sasl.login.refresh.min.period.seconds"] = "0";
        properties["sasl.login.refresh.buffer.seconds"] = "0";

        var sent = new List<ProducerRecord<string?, string?>>();
        var metadata = new List<Task<RecordMetadata>>();
        await using (var producer = new KafkaProducer<string?, string?>(ProducerSettings.FromProperties(properties)))
        {
            for (var round = 0; round < 40; round++)
            {
                foreach (var record in KeyedWorkload.Build(topic, 50, keys: 10, seed: round, baseTimestamp: 1_700_000_000_000 + round * 50L))
                {
                    var unique = new ProducerRecord<string?, string?>(topic, null, record.Timestamp, record.Key, $"{round}|{record.Value}", record.Headers);
                    sent.Add(unique);
                    metadata.Add(producer.SendAsync(unique));
                }
                await Task.Delay(200);
            }
            await Task.WhenAll(metadata).WaitAsync(TimeSpan.FromSeconds(30));
        }

        // 8 s of 4 s tokens: refreshed at least once, and every re-authentication found a valid one.
        Assert.True(endpoint.Issued.Count >= 2, $"{endpoint.Issued.Count} token(s) issued");
        Assert.True(kafka.Counters.TotalReauthentications >= 3, $"only {kafka.Counters.TotalReauthentications} re-authentications");
        Assert.Equal(0, kafka.Counters.FailedAuthentications);
        Verify(kafka.ConfluentClientConfig(), topic, sent, metadata.Select(t => t.Result).ToList());
    }

    private static string CreateTopic(SecureEmbeddedKafka kafka, string prefix)
    {
        var topic = $"{prefix}-{Guid.NewGuid():N}";
        kafka.Cluster.CreateTopic(topic, Partitions, replicationFactor: 1);
        return topic;
    }

    private static async Task ProduceAndVerify(SecureEmbeddedKafka kafka, string topic, IDictionary<string, string> properties, int count, Confluent.Kafka.ClientConfig? reader = null)
    {
        var records = KeyedWorkload.Build(topic, count, keys: 30, seed: 11, baseTimestamp: 1_700_000_000_000);
        RecordMetadata[] metadata;
        await using (var producer = new KafkaProducer<string?, string?>(ProducerSettings.FromProperties(properties)))
            metadata = await Task.WhenAll(records.Select(r => producer.SendAsync(r))).WaitAsync(TimeSpan.FromSeconds(30));
        Verify(reader ?? kafka.ConfluentClientConfig(), topic, records, metadata);
    }

    private static void Verify(Confluent.Kafka.ClientConfig reader, string topic, IReadOnlyList<ProducerRecord<string?, string?>> sent, IReadOnlyList<RecordMetadata> metadata)
    {
        var found = KafkaReader.ReadAll(reader, topic, TimeSpan.FromSeconds(30));
        Assert.Equal(sent.Count, found.Count);
        DenseOffsets(found);
        var byPosition = ByPosition(found);
        for (var i = 0; i < sent.Count; i++) Same(sent[i], At(byPosition, metadata[i]));
        // Per key, the order sent is the order stored.
        foreach (var key in found.GroupBy(r => Text(r.Key)))
        {
            var stored = key.OrderBy(r => r.Partition).ThenBy(r => r.Offset).Select(r => Text(r.Value)).ToList();
            var expected = sent.Where(r => r.Key == key.Key).Select(r => r.Value).ToList();
            Assert.Equal(expected, stored);
        }
    }

    /// <summary>Sends with max.block.ms at 30 s and expects the failure well before it: authentication failures are not waited out.</summary>
    private static async Task<Exception> SendExpectingFailure(IDictionary<string, string> properties, string topic)
    {
        properties["max.block.ms"] = "30000";
        properties["reconnect.backoff.ms"] = "200";
        await using var producer = new KafkaProducer<string?, string?>(ProducerSettings.FromProperties(properties));
        var clock = Stopwatch.StartNew();
        var sends = Enumerable.Range(0, 20).Select(i => producer.SendAsync(new ProducerRecord<string?, string?>(topic, $"k{i}", $"v{i}"))).ToList();
        var failures = new List<Exception>();
        foreach (var send in sends)
            failures.Add(await Assert.ThrowsAnyAsync<KafkaException>(() => send.WaitAsync(TimeSpan.FromSeconds(25))));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the sends failed only after {clock.Elapsed}");
        Assert.All(failures, f => Assert.Equal(failures[0].GetType(), f.GetType()));
        return failures[0];
    }
}
