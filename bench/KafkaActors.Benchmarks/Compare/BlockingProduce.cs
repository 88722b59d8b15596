using Confluent.Kafka;

namespace KafkaActors.Benchmarks.Compare;

/// <summary>
/// Confluent.Kafka's Produce made to block as Java's send does when buffer memory is used up: a full local queue is
/// polled (serving delivery reports, which frees it) and the record offered again. Stateless; thread-safe.
/// </summary>
public static class BlockingProduce
{
    public static void Produce(IProducer<byte[]?, byte[]> producer, string topic, Message<byte[]?, byte[]> message, Action<DeliveryReport<byte[]?, byte[]>> handler)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message, handler);
                return;
            }
            catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(1));
            }
        }
    }
}
