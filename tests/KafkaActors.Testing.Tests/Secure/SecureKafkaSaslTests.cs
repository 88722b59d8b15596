using System.Diagnostics;
using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using KafkaActors.Protocol;
using WireError = KafkaActors.Protocol.Errors.ErrorCode;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Records;
using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Secure;
using Xunit;

namespace KafkaActors.Testing.Tests.Secure;

/// <summary>
/// The front's SASL listeners: Confluent's client (librdkafka's own SASL implementations) against each mechanism, and a raw
/// wire client for what a client library would hide (error codes, closures, session lifetimes).
/// </summary>
public sealed class SecureKafkaSaslTests
{
    private static readonly TimeSpan ErrorTimeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(ListenerSecurityProtocol.SaslPlaintext, "PLAIN")]
    [InlineData(ListenerSecurityProtocol.SaslPlaintext, "SCRAM-SHA-256")]
    [InlineData(ListenerSecurityProtocol.SaslPlaintext, "SCRAM-SHA-512")]
    [InlineData(ListenerSecurityProtocol.SaslPlaintext, "OAUTHBEARER")]
    [InlineData(ListenerSecurityProtocol.SaslSsl, "PLAIN")]
    [InlineData(ListenerSecurityProtocol.SaslSsl, "SCRAM-SHA-256")]
    [InlineData(ListenerSecurityProtocol.SaslSsl, "SCRAM-SHA-512")]
    [InlineData(ListenerSecurityProtocol.SaslSsl, "OAUTHBEARER")]
    public async Task Records_produced_with_each_mechanism_read_back_unchanged(ListenerSecurityProtocol protocol, string mechanism)
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions { SecurityProtocol = protocol });
        var topic = TestClients.Topic("sasl");
        kafka.Cluster.CreateTopic(topic, partitions: 2);

        await SecureClients.ProduceAndVerifyAsync(kafka, kafka.ConfluentClientConfig("bob", mechanism), topic, 100);

        // The producer's and the reader's connections all authenticated with this mechanism.
        Assert.True(kafka.Counters.Authentications(mechanism) >= 2, kafka.Counters.ToString());
        Assert.Equal(kafka.Counters.Authentications(mechanism), kafka.Counters.TotalAuthentications);
        Assert.Equal(0, kafka.Counters.FailedAuthentications);
        Assert.Equal(0, kafka.Counters.IllegalRequestClosures);
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-512")]
    [InlineData("OAUTHBEARER")]
    public async Task Confluent_is_refused_with_a_wrong_password_or_an_unknown_subject(string mechanism)
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions { SecurityProtocol = ListenerSecurityProtocol.SaslSsl });
        var topic = TestClients.Topic("sasl-refused");
        kafka.Cluster.CreateTopic(topic, partitions: 1);
        var config = kafka.ConfluentClientConfig("alice", mechanism);
        if (mechanism == "OAUTHBEARER") config.SaslOauthbearerConfig = "principal=mallory";
        else config.SaslPassword = "not-alices-password";

        kafka.Cluster.StartRequestTracking();

        var errors = new ConcurrentQueue<Error>();
        using var producer = SecureClients.Producer(config, c => c.MessageTimeoutMs = 1000, errors);
        var delivery = producer.ProduceAsync(topic, SecureClients.Message(1));
        await SecureClients.WaitForErrorAsync(errors, e => e.Code is ErrorCode.Local_Authentication or ErrorCode.SaslAuthenticationFailed, ErrorTimeout);
        await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(() => delivery);

        Assert.True(kafka.Counters.FailedAuthentications >= 1, kafka.Counters.ToString());
        Assert.Equal(0, kafka.Counters.TotalAuthentications);
        // Only ApiVersions reached the mock.
        Assert.All(kafka.Cluster.GetRequests(), r => Assert.Equal((short)ApiKey.ApiVersions, r.ApiKey));
    }

    [Fact]
    public async Task Confluent_reauthenticates_before_the_session_expires_while_producing()
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
        {
            SecurityProtocol = ListenerSecurityProtocol.SaslSsl,
            // 4 s: clients re-authenticate at 85-95% of it, and a shorter session leaves a loaded machine too little margin.
            SessionLifetime = TimeSpan.FromSeconds(4),
        });
        var topic = TestClients.Topic("reauth");
        kafka.Cluster.CreateTopic(topic, partitions: 1);
        var config = kafka.ConfluentClientConfig("alice", "SCRAM-SHA-256");

        var deliveries = new List<Task<DeliveryResult<byte[]?, byte[]?>>>();
        using (var producer = SecureClients.Producer(config))
        {
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(7);
            for (var i = 0; DateTime.UtcNow < until; i++)
            {
                deliveries.Add(producer.ProduceAsync(topic, SecureClients.Message(i)));
                await Task.Delay(20);
            }
            await Task.WhenAll(deliveries);
        }

        Assert.True(kafka.Counters.Reauthentications("SCRAM-SHA-256") >= 1, kafka.Counters.ToString());
        Assert.All(deliveries, d => Assert.Equal(PersistenceStatus.Persisted, d.Result.Status));
        Assert.Equal(0, kafka.Counters.ExpiredSessionClosures);
        Assert.Equal(deliveries.Count, KafkaReader.GetWatermarks(config, topic)[0].High);
    }

    [Fact]
    public async Task Faults_injected_into_the_cluster_reach_the_client_which_reconnects_and_authenticates_again()
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions { SecurityProtocol = ListenerSecurityProtocol.SaslSsl });
        var topic = TestClients.Topic("sasl-faults");
        kafka.Cluster.CreateTopic(topic, partitions: 1);
        // The mock drops the connection on the first Produce; the front drops the client's with it.
        kafka.Cluster.PushRequestErrors((short)ApiKey.Produce, KafkaErrorCodes.Transport, (short)WireError.NotLeaderOrFollower);

        await SecureClients.ProduceAndVerifyAsync(kafka, kafka.ConfluentClientConfig("alice", "SCRAM-SHA-512"), topic, 20,
            c => c.RetryBackoffMs = 20);

        // The producer's first connection, its reconnection, and the reader's.
        Assert.True(kafka.Counters.Authentications("SCRAM-SHA-512") >= 3, kafka.Counters.ToString());
        Assert.Equal(0, kafka.Counters.FailedAuthentications);
    }

    [Fact]
    public async Task Extra_pipeline_stages_see_authenticated_requests_in_order_and_can_close_the_connection()
    {
        var seen = new ConcurrentQueue<(long Connection, string? Principal, short ApiKey)>();
        var produceCount = 0;
        var options = new SecureKafkaOptions { SecurityProtocol = ListenerSecurityProtocol.SaslPlaintext };
        options.FrameHandlers.Add(info => new RecordingStage(info, seen, () => Interlocked.Increment(ref produceCount) == 1));
        await using var kafka = SecureEmbeddedKafka.Start(options);
        var topic = TestClients.Topic("stages");
        kafka.Cluster.CreateTopic(topic, partitions: 1);

        await SecureClients.ProduceAndVerifyAsync(kafka, kafka.ConfluentClientConfig("bob", "PLAIN"), topic, 30, c => c.RetryBackoffMs = 20);

        // The stage never saw a SASL request or an unauthenticated one, and its Close of the first Produce cost a reconnection.
        Assert.All(seen, s => Assert.Equal("bob", s.Principal));
        Assert.DoesNotContain(seen, s => s.ApiKey is (short)ApiKey.SaslHandshake or (short)ApiKey.SaslAuthenticate);
        Assert.True(produceCount >= 2, $"{produceCount} Produce requests");
        Assert.True(seen.Select(s => s.Connection).Distinct().Count() >= 3, "the first producer connection, its replacement, and the reader's");
    }

    /// <summary>Records each request with its connection's principal; closes the connection when <c>closeThis</c> says so for a Produce.</summary>
    private sealed class RecordingStage(FrontConnectionInfo info, ConcurrentQueue<(long, string?, short)> seen, Func<bool> closeThis) : IFrameHandler
    {
        public FrameAction OnRequest(in KafkaRequestFrame request)
        {
            seen.Enqueue((info.ConnectionId, info.Principal, request.ApiKey));
            return request.ApiKey == (short)ApiKey.Produce && closeThis() ? FrameAction.Close : FrameAction.Pass;
        }
    }

    [Fact]
    public async Task A_session_that_is_not_reauthenticated_is_closed_on_its_next_request_and_a_reauthentication_resets_it()
    {
        // Long enough that a loaded machine's delays stay inside the margins below (each about half a lifetime).
        var lifetime = TimeSpan.FromSeconds(4);
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
        {
            SecurityProtocol = ListenerSecurityProtocol.SaslPlaintext,
            SessionLifetime = lifetime,
        });

        using var expiring = KafkaWireClient.Connect(kafka.BootstrapServers);
        var clock = Stopwatch.StartNew();
        var answer = AuthenticatePlain(expiring, "alice", "alice-secret", version: 1);
        Assert.Equal(WireError.None, answer.ErrorCode);
        Assert.Equal((int)lifetime.TotalMilliseconds, answer.SessionLifetimeMs);
        var expiringEndsBy = clock.Elapsed + lifetime; // its session began before the answer arrived
        using var renewed = KafkaWireClient.Connect(kafka.BootstrapServers);
        Assert.Equal(WireError.None, AuthenticatePlain(renewed, "alice", "alice-secret", version: 2).ErrorCode);
        Metadata(expiring);

        await Task.Delay(lifetime * 0.5);
        // Re-authentication on the same connection: SaslHandshake and SaslAuthenticate again, before its session ends.
        Assert.True(clock.Elapsed < lifetime, $"re-authenticating at {clock.Elapsed}, after the session ended");
        var renewedEndsAfter = clock.Elapsed + lifetime; // its new session begins after this request is sent
        Assert.Equal(WireError.None, AuthenticatePlain(renewed, "alice", "alice-secret", version: 2).ErrorCode);
        var untilExpired = expiringEndsBy + TimeSpan.FromMilliseconds(200) - clock.Elapsed;
        if (untilExpired > TimeSpan.Zero) await Task.Delay(untilExpired);

        // Past the first session's end: the renewed session is alive, the other one is not.
        Assert.True(clock.Elapsed < renewedEndsAfter, $"checking at {clock.Elapsed}, after the renewed session ended");
        Metadata(renewed);
        expiring.SendOnly(new MetadataRequest([], false), 1);
        Assert.True(expiring.WaitForClose(TimeSpan.FromSeconds(5)));

        Assert.Equal(1, kafka.Counters.ExpiredSessionClosures);
        Assert.Equal(1, kafka.Counters.Reauthentications("PLAIN"));
        Assert.Equal(2, kafka.Counters.Authentications("PLAIN"));
    }

    [Fact]
    public async Task The_raw_protocol_matches_a_kafka_broker()
    {
        await using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
        {
            SecurityProtocol = ListenerSecurityProtocol.SaslPlaintext,
            SaslMechanisms = ["PLAIN", "SCRAM-SHA-512"],
        });

        // ApiVersions is allowed before authentication and advertises the SASL APIs; the mock's v3 error passes unchanged.
        using (var client = KafkaWireClient.Connect(kafka.BootstrapServers))
        {
            Assert.Equal(WireError.UnsupportedVersion, ApiVersionsResponse.PeekErrorCode(client.Send(new ApiVersionsRequest("test", "1"), 3)));
            var versions = ApiVersionsResponse.Parse(client.Send(new ApiVersionsRequest("test", "1"), 2), 2);
            Assert.Equal(WireError.None, versions.ErrorCode);
            Assert.Equal(new ApiVersionRange(0, 1), versions.ApiKeys[ApiKey.SaslHandshake]);
            Assert.Equal(new ApiVersionRange(0, 2), versions.ApiKeys[ApiKey.SaslAuthenticate]);
            Assert.True(versions.ApiKeys.ContainsKey(ApiKey.Produce));
            var handshake = SaslHandshakeResponse.Parse(client.Send(new SaslHandshakeRequest("PLAIN"), 1), 1);
            Assert.Equal(WireError.None, handshake.ErrorCode);
            Assert.Equal(["PLAIN", "SCRAM-SHA-512"], handshake.Mechanisms);
        }

        // Anything else before authentication closes the connection.
        using (var client = KafkaWireClient.Connect(kafka.BootstrapServers))
        {
            client.SendOnly(new MetadataRequest([], false), 1);
            Assert.True(client.WaitForClose(TimeSpan.FromSeconds(5)));
            Assert.Equal(1, kafka.Counters.IllegalRequestClosures);
        }

        // A mechanism that is not enabled: UNSUPPORTED_SASL_MECHANISM with the enabled ones, then closed.
        using (var client = KafkaWireClient.Connect(kafka.BootstrapServers))
        {
            var handshake = SaslHandshakeResponse.Parse(client.Send(new SaslHandshakeRequest("OAUTHBEARER"), 1), 1);
            Assert.Equal(WireError.UnsupportedSaslMechanism, handshake.ErrorCode);
            Assert.Equal(["PLAIN", "SCRAM-SHA-512"], handshake.Mechanisms);
            Assert.True(client.WaitForClose(TimeSpan.FromSeconds(5)));
        }

        // A wrong password: SASL_AUTHENTICATION_FAILED with a message that does not echo the secret, then closed.
        using (var client = KafkaWireClient.Connect(kafka.BootstrapServers))
        {
            var answer = AuthenticatePlain(client, "alice", "guessed-secret", version: 2);
            Assert.Equal(WireError.SaslAuthenticationFailed, answer.ErrorCode);
            Assert.False(string.IsNullOrEmpty(answer.ErrorMessage));
            Assert.DoesNotContain("guessed-secret", answer.ErrorMessage);
            Assert.True(client.WaitForClose(TimeSpan.FromSeconds(5)));
        }

        // Authenticated: requests are relayed, and acks=0 Produce gets no answer (as from Kafka), though the mock sends one.
        using (var client = KafkaWireClient.Connect(kafka.BootstrapServers))
        {
            Assert.Equal(WireError.None, AuthenticatePlain(client, "bob", "bob-secret", version: 2).ErrorCode);
            kafka.Cluster.CreateTopic("acks0", 1);
            kafka.Cluster.StartRequestTracking();
            client.SendOnly(new ProduceRequest(null, 0, 1000, [new ProducePartitionData("acks0", 0, OneRecordBatch())]), 7);
            var metadataId = client.SendOnly(new MetadataRequest([], false), 1);
            var frame = client.ReceiveFrame();
            Assert.Equal(metadataId, ResponseHeader.PeekCorrelationId(frame));
            Assert.Contains(kafka.Cluster.GetRequests(), r => r.ApiKey == (short)ApiKey.Produce);
            Assert.Equal(1, KafkaReader.GetWatermarks(kafka.ConfluentClientConfig(), "acks0")[0].High);
        }

        Assert.Equal(2, kafka.Counters.FailedAuthentications);
    }

    [Fact]
    public void Client_configurations_name_the_certificates_and_credentials()
    {
        using var kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions
        {
            SecurityProtocol = ListenerSecurityProtocol.SaslSsl,
            RequireClientCertificate = true,
            ClientKeyPassword = "key-pw",
        });

        var java = kafka.JavaClientProperties("bob", "SCRAM-SHA-512");
        Assert.Equal(kafka.BootstrapServers, java["bootstrap.servers"]);
        Assert.Equal("SASL_SSL", java["security.protocol"]);
        Assert.Equal("PEM", java["ssl.truststore.type"]);
        Assert.Equal(kafka.Certificates.CaCertificatePem, java["ssl.truststore.location"]);
        Assert.Equal(kafka.Certificates.ClientKeystorePem, java["ssl.keystore.location"]);
        Assert.Equal("key-pw", java["ssl.key.password"]);
        Assert.Equal("SCRAM-SHA-512", java["sasl.mechanism"]);
        Assert.Equal("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"bob\" password=\"bob-secret\";", java["sasl.jaas.config"]);
        Assert.Equal("org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"alice\";",
            kafka.JavaClientProperties(mechanism: "OAUTHBEARER")["sasl.jaas.config"]);
        Assert.Equal("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"alice-secret\";",
            kafka.JavaClientProperties()["sasl.jaas.config"]);
        var keystore = File.ReadAllText(java["ssl.keystore.location"]);
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", keystore);
        Assert.Equal(3, keystore.Split("-----BEGIN ").Length - 1);

        var oauth = kafka.ConfluentClientConfig("bob", "OAUTHBEARER");
        Assert.Equal("principal=bob", oauth.SaslOauthbearerConfig);
        Assert.Equal("true", oauth.Get("enable.sasl.oauthbearer.unsecure.jwt"));
        Assert.Null(oauth.SaslPassword);
        Assert.DoesNotContain("secret", kafka.ToString());
        Assert.DoesNotContain("secret", new SecureKafkaOptions().ToString());
    }

    private static SaslAuthenticateResponse AuthenticatePlain(KafkaWireClient client, string user, string password, short version)
    {
        var handshake = SaslHandshakeResponse.Parse(client.Send(new SaslHandshakeRequest("PLAIN"), 1), 1);
        Assert.Equal(WireError.None, handshake.ErrorCode);
        var token = Encoding.UTF8.GetBytes($"\0{user}\0{password}");
        return SaslAuthenticateResponse.Parse(client.Send(new SaslAuthenticateRequest(token), version), version);
    }

    /// <summary>One uncompressed record batch (the mock crashes on an empty records field).</summary>
    private static byte[] OneRecordBatch()
    {
        var buffer = new byte[1024];
        var builder = new RecordBatchBuilder();
        builder.Reset(buffer, buffer.Length);
        var value = Encoding.UTF8.GetBytes("acks=0");
        Assert.True(builder.TryAppend(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [], -1, value, value.Length, []));
        var batch = buffer.AsSpan(0, builder.SizeInBytes).ToArray();
        RecordBatchHeader.Write(batch, KafkaActors.Protocol.Records.CompressionType.None, transactional: false, builder.RecordCount, builder.BaseTimestamp, builder.MaxTimestamp, -1, -1, -1);
        return batch;
    }

    private static void Metadata(KafkaWireClient client) =>
        Assert.NotEmpty(MetadataResponse.Parse(client.Send(new MetadataRequest([], false), 1), 1).Brokers);
}
