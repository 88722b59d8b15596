namespace KafkaActors.Protocol.Framing;

/// <summary>
/// The versions of each API this client implements and the version from which each is
/// "flexible" (KIP-482: compact strings/arrays, tagged fields, request header v2 / response header v1).
/// Mirrors <c>validVersions</c> / <c>flexibleVersions</c> of Kafka's message JSON specs.
/// </summary>
public static class ClientApiVersions
{
    /// <summary>ApiVersionsRequest.json: validVersions 0-4, flexibleVersions 3+. We send at most v3.</summary>
    public static readonly ApiVersionRange ApiVersions = new(0, 3);

    /// <summary>MetadataRequest.json: 0-12, flexible 9+. v0 means "all topics" for an empty list, so we start at 1.</summary>
    public static readonly ApiVersionRange Metadata = new(1, 12);

    /// <summary>ProduceRequest.json: 0-11, flexible 9+. v3 is the first with RecordBatch v2 (magic 2).</summary>
    public static readonly ApiVersionRange Produce = new(3, 11);

    /// <summary>InitProducerIdRequest.json: 0-5, flexible 2+.</summary>
    public static readonly ApiVersionRange InitProducerId = new(0, 5);

    /// <summary>FetchRequest.json: 0-17, flexible 12+. Only the non-flexible v4-11 are implemented (for tests reading raw batches).</summary>
    public static readonly ApiVersionRange Fetch = new(4, 11);

    /// <summary>SaslHandshakeRequest.json: 0-1, never flexible. v1 means the SASL tokens travel in SaslAuthenticate (KIP-152).</summary>
    public static readonly ApiVersionRange SaslHandshake = new(0, 1);

    /// <summary>SaslAuthenticateRequest.json: 0-2, flexible 2+. v1 adds the session lifetime to the response (KIP-368).</summary>
    public static readonly ApiVersionRange SaslAuthenticate = new(0, 2);

    /// <summary>FindCoordinatorRequest.json: 0-6, flexible 3+. v4 batches CoordinatorKeys; v5+ only adds errors/share groups.</summary>
    public static readonly ApiVersionRange FindCoordinator = new(0, 4);

    /// <summary>AddPartitionsToTxnRequest.json: 0-5, flexible 3+. v4+ is broker-to-broker (batched transactions); clients send at most v3.</summary>
    public static readonly ApiVersionRange AddPartitionsToTxn = new(0, 3);

    /// <summary>AddOffsetsToTxnRequest.json: flexible 3+. We send v0-3.</summary>
    public static readonly ApiVersionRange AddOffsetsToTxn = new(0, 3);

    /// <summary>TxnOffsetCommitRequest.json: flexible 3+. v2 adds the leader epoch, v3 the group member fields.</summary>
    public static readonly ApiVersionRange TxnOffsetCommit = new(0, 3);

    /// <summary>EndTxnRequest.json: flexible 3+. We send v0-3 (v5 answers with a new epoch, KIP-890).</summary>
    public static readonly ApiVersionRange EndTxn = new(0, 3);

    public static ApiVersionRange For(ApiKey key) => key switch
    {
        ApiKey.SaslHandshake => SaslHandshake,
        ApiKey.SaslAuthenticate => SaslAuthenticate,
        ApiKey.Fetch => Fetch,
        ApiKey.ApiVersions => ApiVersions,
        ApiKey.Metadata => Metadata,
        ApiKey.Produce => Produce,
        ApiKey.InitProducerId => InitProducerId,
        ApiKey.FindCoordinator => FindCoordinator,
        ApiKey.AddPartitionsToTxn => AddPartitionsToTxn,
        ApiKey.AddOffsetsToTxn => AddOffsetsToTxn,
        ApiKey.TxnOffsetCommit => TxnOffsetCommit,
        ApiKey.EndTxn => EndTxn,
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "This client does not implement that API."),
    };

    public static bool IsFlexible(ApiKey key, short version) => key switch
    {
        ApiKey.ApiVersions => version >= 3,
        ApiKey.Metadata => version >= 9,
        ApiKey.Produce => version >= 9,
        ApiKey.InitProducerId => version >= 2,
        ApiKey.Fetch => version >= 12,
        ApiKey.ListOffsets => version >= 6,
        ApiKey.SaslHandshake => false,
        ApiKey.SaslAuthenticate => version >= 2,
        ApiKey.FindCoordinator => version >= 3,
        ApiKey.AddPartitionsToTxn => version >= 3,
        ApiKey.AddOffsetsToTxn => version >= 3,
        ApiKey.TxnOffsetCommit => version >= 3,
        ApiKey.EndTxn => version >= 3,
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "Unknown flexibility for that API."),
    };

    /// <summary>Request header v2 for flexible versions, else v1 (v1 adds the client id).</summary>
    public static short RequestHeaderVersion(ApiKey key, short version) => IsFlexible(key, version) ? (short)2 : (short)1;

    /// <summary>
    /// Response header v1 (with tagged fields) for flexible versions, else v0. ApiVersions always
    /// answers with v0 so that a client can read it before it knows which versions the broker speaks.
    /// </summary>
    public static short ResponseHeaderVersion(ApiKey key, short version) =>
        key != ApiKey.ApiVersions && IsFlexible(key, version) ? (short)1 : (short)0;
}
