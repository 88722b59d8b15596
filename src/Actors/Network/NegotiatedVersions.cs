using KafkaActors.Protocol;
using KafkaActors.Protocol.Messages;

namespace KafkaActors.Network;

/// <summary>The version of each API to use with one broker: the highest both sides speak, -1 when none.</summary>
internal sealed record NegotiatedVersions(short Produce, short Metadata, short InitProducerId, short SaslHandshake, short SaslAuthenticate,
    IReadOnlyDictionary<ApiKey, short> Transactional)
{
    /// <summary>The coordinator APIs of transactions: looked up by key, they are sent rarely.</summary>
    private static readonly ApiKey[] TransactionalApis =
        [ApiKey.FindCoordinator, ApiKey.AddPartitionsToTxn, ApiKey.AddOffsetsToTxn, ApiKey.TxnOffsetCommit, ApiKey.EndTxn];

    public static NegotiatedVersions From(ApiVersionsResponse response) => new(
        SkipV5(response.Negotiate(ApiKey.Produce)),
        response.Negotiate(ApiKey.Metadata),
        response.Negotiate(ApiKey.InitProducerId),
        response.Negotiate(ApiKey.SaslHandshake),
        response.Negotiate(ApiKey.SaslAuthenticate),
        TransactionalApis.ToDictionary(key => key, response.Negotiate));

    /// <summary>
    /// Produce v5 only adds LogStartOffset to the response, and librdkafka's mock broker omits it there:
    /// v4 is equivalent on the request side, so we never send v5.
    /// </summary>
    private static short SkipV5(short version) => version == 5 ? (short)4 : version;

    public short For(ApiKey key) => key switch
    {
        ApiKey.Produce => Produce,
        ApiKey.Metadata => Metadata,
        ApiKey.InitProducerId => InitProducerId,
        _ => Transactional.GetValueOrDefault(key, (short)-1),
    };
}
