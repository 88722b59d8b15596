using System.Buffers.Binary;
using System.Net.Sockets;
using KafkaActors.Protocol.Messages;
using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Secure;
using Xunit;

namespace KafkaActors.Testing.Tests.Secure;

/// <summary>
/// What the front adds for network tests: its request log (api, version, connection, listener, Metadata topics, arrival
/// and send times), per-listener connection counts, listeners that stop, restart and can be added, and one-shot throttle
/// times. Driven with a raw wire client, so every request is known.
/// </summary>
public sealed class FrontListenerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private SecureEmbeddedKafka _kafka = null!;

    public Task InitializeAsync()
    {
        _kafka = SecureEmbeddedKafka.Start(new SecureKafkaOptions { Brokers = 2, SecurityProtocol = ListenerSecurityProtocol.Plaintext });
        _kafka.Cluster.CreateTopic(TestClients.Topic("front-log"), partitions: 1, replicationFactor: 1);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _kafka.DisposeAsync();

    [Fact]
    public void The_log_names_each_request_its_connection_listener_and_metadata_topics_and_each_response()
    {
        var listener = _kafka.Listener(2);
        using (var client = KafkaWireClient.Connect(listener.Address, Timeout))
        {
            client.Send(new MetadataRequest(["a", "b"], AllowAutoTopicCreation: false), 4);
            client.Send(new MetadataRequest(["c"], AllowAutoTopicCreation: false), 9);
            client.Send(new MetadataRequest(null, AllowAutoTopicCreation: false), 12);
            client.Send(new MetadataRequest([], AllowAutoTopicCreation: false), 1);
        }

        var requests = _kafka.RequestLog.RequestsTo(listener);
        Assert.Equal([(short)4, 9, 12, 1], requests.Select(r => r.ApiVersion));
        Assert.All(requests, r => Assert.Equal((ApiKeys.Metadata, 2, listener.Port), (r.ApiKey, r.BrokerId, r.ListenerPort)));
        Assert.Single(requests.Select(r => r.ConnectionId).Distinct());
        Assert.Equal(["a", "b"], requests[0].Topics);
        Assert.Equal(["c"], requests[1].Topics);
        Assert.Null(requests[2].Topics);
        Assert.Equal([], requests[3].Topics);
        Assert.Equal(requests.OrderBy(r => r.ArrivedTicks), requests);
        Assert.Empty(_kafka.RequestLog.RequestsTo(1));

        var responses = _kafka.RequestLog.Responses.Where(r => r.ListenerPort == listener.Port).ToList();
        Assert.Equal(requests.Select(r => r.CorrelationId), responses.Select(r => r.CorrelationId));
        Assert.All(responses.Zip(requests), p => Assert.True(p.First.SentTicks >= p.Second.ArrivedTicks));
        Assert.All(responses, r => Assert.Equal(0, r.ThrottleTimeMs));
    }

    [Fact]
    public async Task A_stopped_listener_refuses_and_drops_connections_while_an_added_one_answers_and_it_restarts()
    {
        var advertised = _kafka.Listener(1);
        var added = _kafka.AddListener(1);
        Assert.NotEqual(advertised.Port, added.Port);
        using var open = KafkaWireClient.Connect(advertised.Address, Timeout);
        open.Send(new MetadataRequest([], false), 4);
        Assert.Equal(1, advertised.ConnectionsOpen);

        await advertised.StopAsync();
        Assert.False(advertised.IsListening);
        Assert.Equal(0, advertised.ConnectionsOpen);
        Assert.ThrowsAny<Exception>(() => open.Send(new MetadataRequest([], false), 4));
        Assert.Throws<SocketException>(() => KafkaWireClient.Connect(advertised.Address, Timeout));
        Assert.Equal(1, advertised.ConnectionsAccepted);

        // The broker itself is up: its other address relays to it.
        using (var other = KafkaWireClient.Connect(added.Address, Timeout))
        {
            var metadata = MetadataResponse.Parse(other.Send(new MetadataRequest([], false), 4), 4);
            Assert.Contains(metadata.Brokers, b => b.NodeId == 1 && b.Port == advertised.Port);
        }
        Assert.Equal(1, added.ConnectionsAccepted);
        Assert.Contains(_kafka.RequestLog.RequestsTo(added), r => r.ApiKey == ApiKeys.Metadata && r.BrokerId == 1);

        advertised.Start();
        Assert.True(advertised.IsListening);
        using var again = KafkaWireClient.Connect(advertised.Address, Timeout);
        again.Send(new MetadataRequest([], false), 4);
        Assert.Equal(2, advertised.ConnectionsAccepted);
        Assert.Equal(1, advertised.ConnectionsOpen);
        Assert.Contains(added, _kafka.Listeners);
    }

    [Fact]
    public void A_one_shot_throttle_reaches_exactly_that_many_responses_of_that_api()
    {
        _kafka.ThrottleNextResponses(1, ApiKeys.Metadata, 300, count: 2);
        using var client = KafkaWireClient.Connect(_kafka.Listener(1).Address, Timeout);
        var throttles = Enumerable.Range(0, 3)
            .Select(_ => BinaryPrimitives.ReadInt32BigEndian(client.Send(new MetadataRequest([], false), 4)))
            .ToList();
        Assert.Equal([300, 300, 0], throttles);
        Assert.Equal([300, 300, 0], _kafka.RequestLog.Responses.Where(r => r.BrokerId == 1).Select(r => r.ThrottleTimeMs));
    }
}
