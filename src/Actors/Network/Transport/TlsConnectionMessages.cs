using Akka.Actor;
using Akka.Event;
using Akka.IO;
using KafkaActors.Errors;

namespace KafkaActors.Network.Transport;

internal sealed partial class TlsConnectionActor
{
    /// <summary>
    /// To the handler: the broker refused the TLS session right after the handshake (TLS 1.3 reports a refused
    /// client certificate this way), so the connection is closed. An error close as <see cref="Tcp.ErrorClosed"/>
    /// is, that also carries the <see cref="SslAuthenticationException"/> to fail with; <see cref="Cause"/> is its message.
    /// </summary>
    internal sealed class SslAuthenticationFailed(SslAuthenticationException error) : Tcp.ConnectionClosed
    {
        public SslAuthenticationException Error { get; } = error;

        public override bool IsErrorClosed => true;

        public override string Cause => Error.Message;

        public override string ToString() => $"SslAuthenticationFailed('{Error.Message}')";
    }

    // Completions of the socket and TLS work that runs off the actor's thread; each comes back as one of these.
    // Any that arrive after the actor stopped (an aborted read, say) are expected: no dead-letter logging.

    /// <summary>The TCP connection is up and the TLS handshake succeeded; the actor now owns <see cref="Channel"/>.</summary>
    internal sealed class ConnectSucceeded(TlsChannel channel) : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public TlsChannel Channel { get; } = channel;
    }

    /// <summary>The TCP connect or the TLS handshake failed; <see cref="Cause"/> is what the commander is told.</summary>
    internal sealed class ConnectFailed(Exception cause) : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public Exception Cause { get; } = cause;
    }

    /// <summary>A read finished: <see cref="Count"/> plaintext bytes are in the channel's read buffer; 0 means the peer closed.</summary>
    internal sealed class ReadCompleted(int count) : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public int Count { get; } = count;
    }

    /// <summary>A read failed (reset, TLS alert, …): the connection is lost.</summary>
    internal sealed class ReadFailed(Exception cause) : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public Exception Cause { get; } = cause;
    }

    /// <summary>The write buffer's bytes are written (encrypted and handed to the kernel); only one write is in progress at a time.</summary>
    internal sealed class WriteCompleted : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly WriteCompleted Instance = new();
    }

    /// <summary>A write failed: the connection is lost.</summary>
    internal sealed class WriteFailed(Exception cause) : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public Exception Cause { get; } = cause;
    }

    /// <summary>Our TLS close_notify is sent (or could not be: the outcome makes no difference to closing).</summary>
    internal sealed class ShutdownCompleted : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly ShutdownCompleted Instance = new();
    }
}
