using Akka.Actor;
using Akka.Event;
using Akka.IO;
using KafkaActors.Accumulator;
using KafkaActors.Protocol;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Security;

namespace KafkaActors.Network;

internal sealed partial class ConnectionActor
{
    /// <summary>From a partition actor: send this batch in the next Produce request to this broker; the <see cref="BatchResult"/> goes to <see cref="ReplyTo"/>.</summary>
    internal sealed record SendBatch(ProducerBatch Batch, IActorRef ReplyTo) : INoSerializationVerificationNeeded;

    /// <summary>
    /// The answer to <see cref="SendBatch"/>, to its ReplyTo: the batch's outcome in a Produce response. <see cref="Transport"/> is set
    /// instead of an error code when the request never got an answer (disconnect, request timeout).
    /// <see cref="WriteConfirmed"/> is false when the socket died before the request that carried the batch was
    /// answered (acks=0: before Akka.IO acknowledged its write): it may still be reading the payload (see <see cref="ProducerBatch.Return"/>).
    /// <see cref="Leader"/> is the partition's current leader when a NOT_LEADER answer named it (KIP-951).
    /// <see cref="RecordErrors"/> names the records the broker refused (KIP-467), null when none.
    /// </summary>
    internal sealed record BatchResult(
        ProducerBatch Batch,
        ErrorCode Error,
        long BaseOffset,
        long LogAppendTime,
        string? ErrorMessage,
        Exception? Transport,
        bool WriteConfirmed = true,
        Metadata.MetadataActor.LeaderHint? Leader = null,
        IReadOnlyList<ProduceRecordError>? RecordErrors = null) : INoSerializationVerificationNeeded
    {
        public static BatchResult Failed(ProducerBatch batch, Exception transport, bool writeConfirmed = true) =>
            new(batch, ErrorCode.NetworkException, -1, -1, null, transport, writeConfirmed);
    }


    /// <summary>Send any other request; the answer comes back as <see cref="Response"/> or <see cref="RequestFailed"/> carrying <see cref="Token"/>.</summary>
    internal sealed record Request(IKafkaRequest Body, object Token, IActorRef ReplyTo) : INoSerializationVerificationNeeded
    {
        public override string ToString() => $"Request({Body.ApiKey}, {Token})";
    }

    /// <summary>A response body (header removed) to a <see cref="Request"/>, with the version it was sent at.</summary>
    internal sealed record Response(object Token, ApiKey ApiKey, short Version, byte[] Body, int NodeId) : INoSerializationVerificationNeeded;

    /// <summary>A <see cref="Request"/> that got no answer.</summary>
    internal sealed record RequestFailed(object Token, Exception Cause, int NodeId) : INoSerializationVerificationNeeded;

    /// <summary>To the parent: the connection became ready (handshake done) or was lost.</summary>
    internal sealed record StateChanged(int NodeId, bool Ready, Exception? Cause) : INoSerializationVerificationNeeded;

    /// <summary>Close the socket gracefully (queued bytes still go out) and answer <see cref="Closed"/>; the producer is closing.</summary>
    internal sealed class Shutdown : INoSerializationVerificationNeeded
    {
        public static readonly Shutdown Instance = new();
    }

    /// <summary>The answer to <see cref="Shutdown"/>.</summary>
    internal sealed class Closed : INoSerializationVerificationNeeded
    {
        public static readonly Closed Instance = new();
    }

    /// <summary>Akka.IO tells us when an acks=0 request's bytes are in the kernel (other requests are confirmed by their answer).</summary>
    private sealed class WriteAck(int correlationId) : Tcp.Event
    {
        public int CorrelationId { get; } = correlationId;
    }

    /// <summary>To itself: the work that arrived meanwhile is queued, time to send it (see SchedulePump).</summary>
    private sealed class PumpDue : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly PumpDue Instance = new();
    }

    private sealed class TimeoutTick : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly TimeoutTick Instance = new();
    }

    /// <summary>The broker's throttle time (KIP-219) is over: sending may resume.</summary>
    private sealed class ThrottleElapsed : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly ThrottleElapsed Instance = new();
    }

    /// <summary>Time to see whether the connection has been idle for connections.max.idle.ms.</summary>
    private sealed class IdleCheck : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly IdleCheck Instance = new();
    }

    private sealed class ReconnectDue : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly ReconnectDue Instance = new();
    }

    /// <summary>The broker's host name resolved (client.dns.lookup = use_all_dns_ips), for connection attempt <see cref="Attempt"/>.</summary>
    private sealed record AddressesResolved(System.Net.IPAddress[] Addresses, int Attempt) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    /// <summary>The broker's host name did not resolve, for connection attempt <see cref="Attempt"/>.</summary>
    private sealed record AddressesNotResolved(Exception Cause, int Attempt) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    /// <summary>The SASL session nears the end of its lifetime (KIP-368).</summary>
    private sealed class ReauthenticationDue : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly ReauthenticationDue Instance = new();
    }

    /// <summary>The SASL client for connection attempt <see cref="Attempt"/> is made (an OAUTHBEARER token was fetched).</summary>
    private sealed record SaslClientCreated(ISaslClient Client, int Attempt) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    /// <summary>No SASL client for connection attempt <see cref="Attempt"/>: e.g. the token endpoint refused us.</summary>
    private sealed record SaslClientFailed(Exception Cause, int Attempt) : INoSerializationVerificationNeeded, IDeadLetterSuppression;
}
