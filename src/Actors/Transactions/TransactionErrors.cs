using KafkaActors.Errors;
using KafkaActors.Protocol.Errors;

namespace KafkaActors.Transactions;

/// <summary>What a transactional request's error means for the transaction (Java's TxnRequestHandler subclasses).</summary>
internal enum TransactionErrorKind
{
    None,
    /// <summary>Send the same request again after a backoff.</summary>
    Retry,
    /// <summary>The coordinator moved or is unknown: look it up again, then retry.</summary>
    RetryAfterLookup,
    /// <summary>The transaction cannot commit: only an abort is possible; the producer stays usable.</summary>
    Abortable,
    /// <summary>The producer can never go on (fenced, not authorized).</summary>
    Fatal,
}

/// <summary>Java's classification of the coordinator's answers, shared by every transactional request. Stateless; thread-safe.</summary>
internal static class TransactionErrors
{
    /// <summary>
    /// The errors every transactional request treats alike; <paramref name="otherwise"/> for the rest (Java makes
    /// most unexpected errors fatal for InitProducerId, FindCoordinator and EndTxn, abortable for partition requests).
    /// </summary>
    public static TransactionErrorKind Classify(ErrorCode code, TransactionErrorKind otherwise) => code switch
    {
        ErrorCode.None => TransactionErrorKind.None,
        ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator => TransactionErrorKind.RetryAfterLookup,
        ErrorCode.CoordinatorLoadInProgress or ErrorCode.ConcurrentTransactions or ErrorCode.UnknownTopicOrPartition
            or ErrorCode.RequestTimedOut or ErrorCode.NetworkException => TransactionErrorKind.Retry,
        ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch or ErrorCode.TransactionalIdAuthorizationFailed
            or ErrorCode.ClusterAuthorizationFailed or ErrorCode.TransactionCoordinatorFenced => TransactionErrorKind.Fatal,
        ErrorCode.InvalidTxnState or ErrorCode.InvalidProducerIdMapping => TransactionErrorKind.Fatal,
        ErrorCode.TransactionAbortable or ErrorCode.GroupAuthorizationFailed or ErrorCode.TopicAuthorizationFailed
            or ErrorCode.UnknownProducerId or ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.FencedInstanceId
            => TransactionErrorKind.Abortable,
        _ when code.IsRetriable() => TransactionErrorKind.Retry,
        _ => otherwise,
    };

    /// <summary>A batch of the transaction failed with <paramref name="error"/>: fatal when it says the producer was fenced or refused.</summary>
    public static bool IsFatalForBatch(Exception error) => error is ApiException api && api.ErrorCode is ErrorCode.ProducerFenced
        or ErrorCode.InvalidProducerEpoch or ErrorCode.TransactionalIdAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed;

    /// <summary>The exception a user catches for a transactional error: fenced producers get <see cref="ProducerFencedException"/>.</summary>
    public static ApiException ToException(ErrorCode code, string context) => code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch
        ? new ProducerFencedException(code, $"{context}: {code.KafkaName()} ({(short)code}) {code.Description()} Another producer with the same transactional.id has taken over; this one can only be closed.")
        : ErrorMapping.ToException(code, context);
}
