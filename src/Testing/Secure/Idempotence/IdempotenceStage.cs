using KafkaActors.Protocol;

namespace KafkaActors.Testing.Secure.Idempotence;

/// <summary>
/// The pipeline stage of <see cref="IdempotenceEnforcement"/>: Produce requests without a transactional id, versions 3-11,
/// are decided there (deferred: a batch may wait for the answer to the one before it). Everything else passes on, acks=0
/// Produce requests that are not checked included (the acks=0 stage drops the mock's answer to them). Stateless; one
/// instance serves all connections.
/// </summary>
internal sealed class IdempotenceStage(IdempotenceEnforcement enforcement) : IFrameHandler
{
    public FrameAction OnRequest(in KafkaRequestFrame request)
    {
        if (request.ApiKey != (short)ApiKey.Produce || !enforcement.Enabled
            || request.ApiVersion is < ProduceRequestView.MinVersion or > ProduceRequestView.MaxVersion)
            return FrameAction.Pass;
        var view = ProduceRequestView.Parse(in request);
        if (view.TransactionalId is not null) return FrameAction.Pass; // the mock checks transactional producers itself
        return FrameAction.Defer(enforcement.DecideAsync(view, request.CorrelationId));
    }
}
