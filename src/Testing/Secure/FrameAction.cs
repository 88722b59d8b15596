namespace KafkaActors.Testing.Secure;

/// <summary>
/// Rewrites a response frame from the broker (correlation id, header and body, without the size prefix) and returns
/// the frame to send to the client instead (also without the size prefix).
/// </summary>
public delegate byte[] ResponseRewriter(ReadOnlySpan<byte> response);

/// <summary>What an <see cref="IFrameHandler"/> decided about a request.</summary>
public enum FrameActionKind
{
    /// <summary>No decision: the next handler sees the request; after the last one it is forwarded.</summary>
    Pass,

    /// <summary>Send to the broker; its response goes back to the client (optionally rewritten).</summary>
    Forward,

    /// <summary>Send to the broker and discard its response (a Kafka broker does not answer acks=0 Produce).</summary>
    ForwardWithoutResponse,

    /// <summary>Answer locally; the broker never sees the request.</summary>
    Respond,

    /// <summary>Close the connection once the responses to earlier requests are sent; the broker never sees the request.</summary>
    Close,

    /// <summary>
    /// The decision is not known yet (<see cref="FrameAction.Decision"/>): the connection reads no further request
    /// until it is, then acts on it. The request frame stays valid until the decision completes.
    /// </summary>
    Defer,

    /// <summary>Neither forward nor answer (a Kafka broker sends nothing for an acks=0 Produce, even one it did not append).</summary>
    Ignore,
}

/// <summary>
/// Sees the broker's response to a request forwarded with <see cref="FrameAction.Forward(byte[], IForwardedResponseHandler, bool)"/>.
/// Called from the connection's write loop, exactly once per request: <see cref="OnResponse"/> or <see cref="OnResponseLost"/>.
/// </summary>
public interface IForwardedResponseHandler
{
    /// <summary>
    /// The broker's response frame (correlation id, header and body, without the size prefix); returns the frame for the
    /// client (same layout), or null to send none. Called even when the client has gone, so a stage learns every outcome.
    /// </summary>
    byte[]? OnResponse(ReadOnlySpan<byte> response);

    /// <summary>The response will never come: the broker closed the connection (set down) or the front stopped.</summary>
    void OnResponseLost();
}

/// <summary>
/// A handler's decision about one request. Responses always reach the client in request order: a local answer waits
/// until the earlier forwarded requests are answered. Immutable.
/// </summary>
public readonly struct FrameAction
{
    private FrameAction(FrameActionKind kind, byte[]? response, ResponseRewriter? rewriter, bool closeAfterResponse,
        byte[]? request = null, IForwardedResponseHandler? handler = null, Task<FrameAction>? decision = null)
    {
        Kind = kind;
        Response = response;
        Rewriter = rewriter;
        CloseAfterResponse = closeAfterResponse;
        Request = request;
        ResponseHandler = handler;
        Decision = decision;
    }

    /// <summary>The decision.</summary>
    public FrameActionKind Kind { get; }

    /// <summary>For <see cref="FrameActionKind.Respond"/>: the response frame without its size prefix (header and body).</summary>
    public byte[]? Response { get; }

    /// <summary>For <see cref="FrameActionKind.Forward"/>: rewrites the broker's response, or null to pass it unchanged.</summary>
    public ResponseRewriter? Rewriter { get; }

    /// <summary>
    /// For <see cref="FrameActionKind.Respond"/>: close the connection once this response is flushed (as Kafka does after a
    /// failed authentication); for <see cref="FrameActionKind.Forward"/>: once the broker's response is handled.
    /// </summary>
    public bool CloseAfterResponse { get; }

    /// <summary>For <see cref="FrameActionKind.Forward"/>: the frame to send instead of the client's (header and body, no size prefix), or null.</summary>
    public byte[]? Request { get; }

    /// <summary>For <see cref="FrameActionKind.Forward"/>: sees the broker's response (instead of <see cref="Rewriter"/>), or null.</summary>
    public IForwardedResponseHandler? ResponseHandler { get; }

    /// <summary>For <see cref="FrameActionKind.Defer"/>: the decision to wait for; a <see cref="FrameActionKind.Pass"/> lets the next handler decide.</summary>
    public Task<FrameAction>? Decision { get; }

    /// <summary>Lets the next handler decide.</summary>
    public static FrameAction Pass => default;

    /// <summary>Forwards the request; <paramref name="rewriter"/> (if any) rewrites the broker's response.</summary>
    public static FrameAction Forward(ResponseRewriter? rewriter = null) => new(FrameActionKind.Forward, null, rewriter, false);

    /// <summary>
    /// Forwards <paramref name="request"/> (header and body, no size prefix; null for the client's own frame) and hands the
    /// broker's response to <paramref name="handler"/>; with <paramref name="closeAfterResponse"/> the connection closes after it.
    /// </summary>
    public static FrameAction Forward(byte[]? request, IForwardedResponseHandler handler, bool closeAfterResponse = false)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new(FrameActionKind.Forward, null, null, closeAfterResponse, request, handler);
    }

    /// <summary>Waits for <paramref name="decision"/> before reading the next request.</summary>
    public static FrameAction Defer(Task<FrameAction> decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new(FrameActionKind.Defer, null, null, false, decision: decision);
    }

    /// <summary>Neither forwards nor answers the request.</summary>
    public static FrameAction Ignore => new(FrameActionKind.Ignore, null, null, false);

    /// <summary>Forwards the request and drops the broker's response.</summary>
    public static FrameAction ForwardWithoutResponse => new(FrameActionKind.ForwardWithoutResponse, null, null, false);

    /// <summary>Answers locally with <paramref name="response"/> (header and body, no size prefix).</summary>
    public static FrameAction Respond(byte[] response, bool closeAfterResponse = false)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new(FrameActionKind.Respond, response, null, closeAfterResponse);
    }

    /// <summary>Closes the connection after the earlier responses.</summary>
    public static FrameAction Close => new(FrameActionKind.Close, null, null, true);

    /// <inheritdoc/>
    public override string ToString() => Kind.ToString();
}
