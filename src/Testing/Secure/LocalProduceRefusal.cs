using KafkaActors.Protocol.Errors;
using KafkaActors.Testing.Secure.Idempotence;

namespace KafkaActors.Testing.Secure;

/// <summary>
/// Answers a Produce request at the front without the broker seeing it, as a Kafka broker answers batches it refuses
/// before appending anything: each partition gets the answer <c>refuse</c> returns, or, when it returns null (a request
/// may hold partitions the stage has no quarrel with), NOT_ENOUGH_REPLICAS, a retriable error under which nothing is
/// written (so they are simply sent again). Under acks=0 nothing is answered, as Kafka sends no response. Stateless.
/// </summary>
internal static class LocalProduceRefusal
{
    public static FrameAction Respond(ProduceRequestView view, int correlationId,
        Func<ProduceRequestPartition, ProduceResponseLayout.Answer?> refuse)
    {
        if (view.Acks == 0) return FrameAction.Ignore;
        var answers = new List<ProduceResponseLayout.Answer>(view.Partitions.Count);
        foreach (var partition in view.Partitions)
            answers.Add(refuse(partition) ?? new ProduceResponseLayout.Answer(partition.Topic, partition.Partition, null, ErrorCode.NotEnoughReplicas,
                ErrorMessage: "Not written: another partition of the request was refused by a test stage."));
        return FrameAction.Respond(ProduceResponseLayout.Write(view.Version, correlationId, answers, default, null));
    }
}
