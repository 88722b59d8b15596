using System.Buffers.Binary;
using KafkaActors.Protocol;
using KafkaActors.Protocol.Errors;
using KafkaActors.Protocol.Messages;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// The front's stage that gives transactional offsets Kafka's semantics on top of the mock: it forwards TxnOffsetCommit
/// and EndTxn unchanged and, from the mock's answers, keeps and commits or drops the offsets in the shared
/// <see cref="TransactionalOffsetStore"/> (see there for the semantics). Other requests pass.
/// </summary>
/// <remarks>
/// One per connection, created by <see cref="SecureEmbeddedKafka"/> when <see cref="SecureKafkaOptions.TransactionalOffsets"/>
/// is on. It has no state of its own: <see cref="OnRequest"/> runs on the connection's read loop and decodes the request;
/// the response rewriters run on its write loop and update the store, which is thread-safe. A stage before it that
/// answers TxnOffsetCommit or EndTxn itself (fault injection) hides that request from it, as the mock never saw it.
/// </remarks>
internal sealed class TransactionalOffsetsStage(TransactionalOffsetStore store, FrontConnectionInfo connection) : IFrameHandler
{
    public FrameAction OnRequest(in KafkaRequestFrame request)
    {
        var version = request.ApiVersion;
        switch ((ApiKey)request.ApiKey)
        {
            case ApiKey.TxnOffsetCommit:
            {
                var commit = TransactionalRequestReader.ReadTxnOffsetCommit(request);
                var brokerId = connection.BrokerId;
                return FrameAction.Forward(response =>
                {
                    var body = response[TransactionalRequestReader.ResponseBodyOffset(response, ApiKey.TxnOffsetCommit, version)..];
                    store.AddPending(commit, brokerId, TxnOffsetCommitResponse.Parse(body, version));
                    return response.ToArray();
                });
            }
            case ApiKey.EndTxn:
            {
                var end = TransactionalRequestReader.ReadEndTxn(request);
                return FrameAction.Forward(response => OnEndTxnAnswered(end, version, response));
            }
            default:
                return FrameAction.Pass;
        }
    }

    private byte[] OnEndTxnAnswered(EndTxnRequest end, short version, ReadOnlySpan<byte> response)
    {
        var bodyOffset = TransactionalRequestReader.ResponseBodyOffset(response, ApiKey.EndTxn, version);
        var answer = EndTxnResponse.Parse(response[bodyOffset..], version);
        var forwarded = response.ToArray();
        if (answer.ErrorCode != ErrorCode.None)
            return forwarded; // the transaction is still open: its offsets stay pending
        if (!end.Committed)
        {
            store.Abort(end.TransactionalId, end.ProducerId);
            return forwarded;
        }
        if (!store.Commit(end.TransactionalId, end.ProducerId))
        {
            // EndTxnResponse.json: ThrottleTimeMs, then ErrorCode. A retriable error makes the client send EndTxn again.
            BinaryPrimitives.WriteInt16BigEndian(forwarded.AsSpan(bodyOffset + 4), (short)ErrorCode.CoordinatorLoadInProgress);
        }
        return forwarded;
    }
}
