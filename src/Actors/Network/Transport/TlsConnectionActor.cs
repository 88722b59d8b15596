using System.Net;
using System.Net.Security;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using KafkaActors.Errors;
using KafkaActors.Producer;

namespace KafkaActors.Network.Transport;

/// <summary>
/// A TLS connection to one broker that speaks Akka.IO's TCP connection protocol, so a handler written for
/// Akka.IO (our <see cref="ConnectionActor"/>) drives it unchanged: it reports <see cref="Tcp.Connected"/> or
/// <see cref="Tcp.CommandFailed"/> to the commander, then takes <see cref="Tcp.Register"/>, <see cref="Tcp.Write"/>
/// (acked in order once written), <see cref="Tcp.Close"/>, <see cref="Tcp.ConfirmedClose"/> and <see cref="Tcp.Abort"/>,
/// and tells the handler <see cref="Tcp.Received"/> and how the connection closed, as TcpConnection does.
///
/// States: Connecting (TCP, then the TLS handshake) → WaitingForRegistration → Connected, within which a
/// close request first flushes the queued writes, then sends close_notify (and for ConfirmedClose a FIN,
/// reading on until the peer's end of stream). It stops after any close event, or when the commander (before
/// Register) or the handler dies; it is created per connection and never restarted. Created and owned by
/// the ConnectionActor of its broker; an actor, so it needs no locking: all socket I/O runs in
/// <see cref="TlsChannel"/>, whose completions come back here as messages.
/// </summary>
internal sealed partial class TlsConnectionActor : ActorBase
{
    private readonly DnsEndPoint _remote;
    private readonly Func<string, Action<string>, SslClientAuthenticationOptions> _optionsFactory;
    private readonly int _sendBufferBytes;
    private readonly int _receiveBufferBytes;
    private readonly TimeSpan _connectTimeout;
    private readonly IActorRef _commander;
    private readonly Tcp.Connect _connect; // what a CommandFailed names: the connect this actor stands for
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TlsWriteQueue _writes = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _closeCommanders = new();
    private TlsChannel? _channel;
    private IActorRef _handler; // the commander until Register
    private bool _registered;
    private bool _keepOpenOnPeerClosed;
    private bool _reading;
    private bool _readingSuspended;
    private bool _writing;
    private bool _peerClosed;
    private bool _outputShutdown;
    private bool _receivedAny;
    private Tcp.ConnectionClosed? _closing; // the event a requested close ends with; set once closing started

    public TlsConnectionActor(
        DnsEndPoint remote,
        Func<string, Action<string>, SslClientAuthenticationOptions> optionsFactory,
        int sendBufferBytes,
        int receiveBufferBytes,
        TimeSpan connectTimeout,
        IActorRef commander)
    {
        _remote = remote;
        _optionsFactory = optionsFactory;
        _sendBufferBytes = sendBufferBytes;
        _receiveBufferBytes = receiveBufferBytes;
        _connectTimeout = connectTimeout;
        _commander = commander;
        _handler = commander;
        var options = new List<Inet.SocketOption>();
        if (sendBufferBytes > 0) options.Add(new Inet.SO.SendBufferSize(sendBufferBytes));
        if (receiveBufferBytes > 0) options.Add(new Inet.SO.ReceiveBufferSize(receiveBufferBytes));
        _connect = new Tcp.Connect(remote, options: options, timeout: connectTimeout);
    }

    /// <param name="remote">The broker's host and port.</param>
    /// <param name="sendBufferBytes">send.buffer.bytes (SO_SNDBUF); 0 or less keeps the OS default.</param>
    /// <param name="receiveBufferBytes">receive.buffer.bytes (SO_RCVBUF); 0 or less keeps the OS default.</param>
    /// <param name="optionsFactory">(targetHost, onRejected) → the handshake options; the certificate validation calls onRejected(reason) when it rejects the broker.</param>
    /// <param name="connectTimeout">Bounds the TCP connect and the TLS handshake together.</param>
    /// <param name="commander">Told <see cref="Tcp.Connected"/> or <see cref="Tcp.CommandFailed"/>; watched until it registers a handler.</param>
    public static Props Props(
        DnsEndPoint remote,
        Func<string, Action<string>, SslClientAuthenticationOptions> optionsFactory,
        int sendBufferBytes,
        int receiveBufferBytes,
        TimeSpan connectTimeout,
        IActorRef commander) =>
        Akka.Actor.Props.Create(() => new TlsConnectionActor(remote, optionsFactory, sendBufferBytes, receiveBufferBytes, connectTimeout, commander))
            .WithDispatcher(ProducerDispatcher.Id);

    protected override void PreStart()
    {
        Context.Watch(_commander);
        var self = Self;
        TlsConnector.ConnectAsync(_remote, _optionsFactory, _sendBufferBytes, _receiveBufferBytes, _connectTimeout, _lifetime.Token)
            .ContinueWith(
                static (t, state) => ((IActorRef)state!).Tell(t.IsCompletedSuccessfully
                    ? new ConnectSucceeded(t.Result)
                    : new ConnectFailed(t.Exception?.InnerExceptions[0] ?? new OperationCanceledException("The connect was cancelled."))),
                self,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
    }

    protected override bool Receive(object message) => Connecting(message);

    // ---- states -------------------------------------------------------------------------------

    private bool Connecting(object message)
    {
        switch (message)
        {
            case ConnectSucceeded succeeded:
                _channel = succeeded.Channel;
                _channel.AttachTo(Self);
                _commander.Tell(new Tcp.Connected(_channel.RemoteAddress, _channel.LocalAddress), Self);
                Become(WaitingForRegistration);
                return true;
            case ConnectFailed failed:
                _log.Debug("Connection to {0}:{1} failed: {2}", _remote.Host, _remote.Port, failed.Cause.Message);
                _commander.Tell(_connect.FailureMessage.WithCause(failed.Cause), Self);
                Context.Stop(Self);
                return true;
            case Tcp.CloseCommand close:
                // Nothing is open yet: stopping cancels the attempt.
                Sender.Tell(close.Event, Self);
                Context.Stop(Self);
                return true;
            default:
                return Common(message);
        }
    }

    private bool WaitingForRegistration(object message)
    {
        switch (message)
        {
            case Tcp.Register register:
                if (!register.Handler.Equals(_commander))
                {
                    Context.Unwatch(_commander);
                    Context.Watch(register.Handler);
                }
                _handler = register.Handler;
                _registered = true;
                _keepOpenOnPeerClosed = register.KeepOpenOnPeerClosed;
                Become(Connected);
                ContinueReading();
                ContinueWriting();
                return true;
            case Tcp.CloseCommand close:
                RequestClose(close.Event, Sender);
                return true;
            default:
                return Common(message);
        }
    }

    private bool Connected(object message)
    {
        switch (message)
        {
            case ReadCompleted read:
                OnRead(read.Count);
                return true;
            case ReadFailed failed:
                _reading = false;
                _channel!.ReadEnded();
                // Once our FIN is out, a reset instead of the peer's FIN still ends the close we asked for.
                if (_outputShutdown) Finish(Tcp.ConfirmedClosed.Instance);
                else OnReadFailed(failed.Cause);
                return true;
            case WriteCompleted:
                _writing = false;
                _channel!.WriteEnded();
                AckWritten();
                ContinueWriting();
                return true;
            case WriteFailed failed:
                _writing = false;
                _channel!.WriteEnded();
                FailWith(failed.Cause);
                return true;
            case ShutdownCompleted:
                _writing = false;
                _channel!.WriteEnded();
                OnCloseNotifySent();
                return true;
            case Tcp.CloseCommand close:
                RequestClose(close.Event, Sender);
                return true;
            default:
                return Common(message);
        }
    }

    /// <summary>What every state handles: writes (queued until Register), reading switches, death of the watched actor.</summary>
    private bool Common(object message)
    {
        switch (message)
        {
            case Tcp.WriteCommand write:
                Accept(write);
                return true;
            case Tcp.SuspendReading:
                _readingSuspended = true;
                return true;
            case Tcp.ResumeReading:
                _readingSuspended = false;
                if (_registered) ContinueReading();
                return true;
            case Tcp.ResumeWriting:
                // Writes are never refused for being too many, so writing is never suspended.
                Sender.Tell(Tcp.WritingResumed.Instance, Self);
                return true;
            case Terminated:
                // The handler (or, before Register, the commander) is gone: nobody to report to.
                Context.Stop(Self);
                return true;
            default:
                return false;
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    private void ContinueReading()
    {
        if (_reading || _readingSuspended || _peerClosed || _channel is null) return;
        _reading = true;
        _channel.StartRead();
    }

    private void OnRead(int count)
    {
        _reading = false;
        if (count > 0)
        {
            _receivedAny = true;
            _handler.Tell(new Tcp.Received(_channel!.TakeReceived(count)), Self);
            ContinueReading();
            return;
        }
        _channel!.ReadEnded();
        _peerClosed = true;
        if (_outputShutdown) Finish(Tcp.ConfirmedClosed.Instance);
        else if (_keepOpenOnPeerClosed && _closing is null) _handler.Tell(Tcp.PeerClosed.Instance, Self);
        else RequestClose(_closing ?? Tcp.PeerClosed.Instance, null);
    }

    // ---- writing ------------------------------------------------------------------------------

    private void Accept(Tcp.WriteCommand command)
    {
        if (_closing is not null)
        {
            Sender.Tell(command.FailureMessage.WithCause(new InvalidOperationException("The connection is closing.")), Self);
            return;
        }
        switch (command)
        {
            case Tcp.Write write:
                _writes.Enqueue(write, Sender);
                break;
            case Tcp.CompoundWrite compound:
                foreach (var simple in compound)
                {
                    if (simple is Tcp.Write w) _writes.Enqueue(w, Sender);
                    else Sender.Tell(simple.FailureMessage.WithCause(new NotSupportedException("WriteFile is not supported over TLS.")), Self);
                }
                break;
            default:
                Sender.Tell(command.FailureMessage.WithCause(new NotSupportedException($"{command.GetType().Name} is not supported over TLS.")), Self);
                return;
        }
        ContinueWriting();
    }

    /// <summary>Starts the next write when none is in progress; once all is written, goes on with a requested close.</summary>
    private void ContinueWriting()
    {
        if (_writing || !_registered) return;
        while (_writes.HasQueued)
        {
            var count = _writes.Fill(_channel!.WriteBuffer);
            if (count > 0)
            {
                _writing = true;
                _channel.StartWrite(count);
                return;
            }
            AckWritten(); // only empty writes were due
        }
        if (_closing is not null) CloseWhenFlushed();
    }

    private void AckWritten()
    {
        while (_writes.TryTakeWritten(out var written))
            if (written.WantsAck) written.Sender.Tell(written.Ack, Self);
    }

    // ---- closing ------------------------------------------------------------------------------

    private void RequestClose(Tcp.ConnectionClosed closedEvent, IActorRef? commander)
    {
        if (commander is not null && !commander.IsNobody()) _closeCommanders.Add(commander);
        if (closedEvent is Tcp.Aborted)
        {
            _channel?.Abort();
            Finish(Tcp.Aborted.Instance);
            return;
        }
        if (_closing is not null) return; // already under way; the commander hears how it ends
        _closing = closedEvent;
        if (!_registered)
        {
            // Closed before Register: the commander stands in for the handler (as in Akka.IO), writes buffered so far still go out.
            _registered = true;
            Become(Connected);
        }
        ContinueWriting();
    }

    /// <summary>All accepted writes are out: send close_notify (Close, ConfirmedClose), or finish (peer closed first).</summary>
    private void CloseWhenFlushed()
    {
        if (_writing) return; // close_notify already under way
        if (_peerClosed && _closing is not Tcp.ConfirmedClosed)
        {
            Finish(_closing!);
            return;
        }
        _writing = true;
        _channel!.StartShutdown();
    }

    private void OnCloseNotifySent()
    {
        if (_closing is Tcp.ConfirmedClosed && !_peerClosed && _channel!.ShutdownOutput())
        {
            // Read on until the peer's end of stream confirms it has all we sent.
            _outputShutdown = true;
            ContinueReading();
            return;
        }
        Finish(_closing!);
    }

    /// <summary>Closes the socket (unless aborted already), tells the handler, the close commanders and the writers still waiting, then stops.</summary>
    private void Finish(Tcp.ConnectionClosed closedEvent)
    {
        if (closedEvent is not Tcp.Aborted) _channel?.Close();
        Notify(closedEvent);
    }

    private void FailWith(Exception cause)
    {
        var reason = TlsConnector.Describe(cause);
        _log.Debug("Connection to {0}:{1} lost: {2}", _remote.Host, _remote.Port, reason);
        _channel!.Abort();
        _closeCommanders.Clear(); // Akka.IO tells only the handler of an error
        Notify(new Tcp.ErrorClosed(reason));
    }

    /// <summary>
    /// A read failed. Before the first byte arrived, a failure of the TLS layer rather than of the socket is the
    /// broker refusing the handshake: in TLS 1.3 the client's side of the handshake ends before the server has
    /// checked the client's certificate, so a refusal (alert certificate_required) only arrives with the first read.
    /// </summary>
    private void OnReadFailed(Exception cause)
    {
        if (_receivedAny || TlsConnector.IsSocketFailure(cause))
        {
            FailWith(cause);
            return;
        }
        var error = new SslAuthenticationException(
            $"TLS handshake with {_remote.Host}:{_remote.Port} failed: the broker refused the connection right after the handshake: {TlsConnector.Describe(cause)}", cause);
        _log.Debug("{0}", error.Message);
        _channel!.Abort();
        _closeCommanders.Clear();
        Notify(new SslAuthenticationFailed(error));
    }

    private void Notify(Tcp.ConnectionClosed closedEvent)
    {
        var listeners = new HashSet<IActorRef>(_closeCommanders) { _handler };
        if (!closedEvent.IsErrorClosed) listeners.UnionWith(_writes.Senders());
        foreach (var listener in listeners) listener.Tell(closedEvent, Self);
        _writes.Clear();
        Context.Stop(Self);
    }

    protected override void PostStop()
    {
        // Cancels a connect still under way (a channel it opens is aborted at once) and aborts an open channel.
        _lifetime.Cancel();
        _channel?.Abort();
    }

    /// <summary>A bug in one message ends the connection with an error event instead of restarting onto a half-used socket.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception e)
        {
            _log.Error(e, "Unexpected error handling {0} on the TLS connection to {1}:{2}", message.GetType().Name, _remote.Host, _remote.Port);
            if (_channel is null) _commander.Tell(_connect.FailureMessage.WithCause(e), Self);
            else FailWith(e);
            Context.Stop(Self);
            return true;
        }
    }
}
