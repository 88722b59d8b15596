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
}

/// <summary>
/// A handler's decision about one request. Responses always reach the client in request order: a local answer waits
/// until the earlier forwarded requests are answered. Immutable.
/// </summary>
public readonly struct FrameAction
{
    private FrameAction(FrameActionKind kind, byte[]? response, ResponseRewriter? rewriter, bool closeAfterResponse)
    {
        Kind = kind;
        Response = response;
        Rewriter = rewriter;
        CloseAfterResponse = closeAfterResponse;
    }

    /// <summary>The decision.</summary>
    public FrameActionKind Kind { get; }

    /// <summary>For <see cref="FrameActionKind.Respond"/>: the response frame without its size prefix (header and body).</summary>
    public byte[]? Response { get; }

    /// <summary>For <see cref="FrameActionKind.Forward"/>: rewrites the broker's response, or null to pass it unchanged.</summary>
    public ResponseRewriter? Rewriter { get; }

    /// <summary>For <see cref="FrameActionKind.Respond"/>: close the connection once this response is flushed (as Kafka does after a failed authentication).</summary>
    public bool CloseAfterResponse { get; }

    /// <summary>Lets the next handler decide.</summary>
    public static FrameAction Pass => default;

    /// <summary>Forwards the request; <paramref name="rewriter"/> (if any) rewrites the broker's response.</summary>
    public static FrameAction Forward(ResponseRewriter? rewriter = null) => new(FrameActionKind.Forward, null, rewriter, false);

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
