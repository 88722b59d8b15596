using System.Diagnostics;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using KafkaActors;
using KafkaActors.Streams;
using Microsoft.Extensions.Logging;

namespace ProducerSample;

/// <summary>How the stream path went.</summary>
public sealed record StreamResult(int Produced, IReadOnlyDictionary<int, long> LastOffsets, TimeSpan Elapsed);

/// <summary>
/// The Akka.Streams path: a source of order numbers → orders → <see cref="KafkaFlow"/>, which produces
/// each record and emits its <see cref="RecordMetadata"/> with the order number passed through, in
/// order → log where some landed, and keep the last offset per partition. Bounded by record count and time.
/// </summary>
public static class OrderStream
{
    public static async Task<StreamResult> RunAsync(KafkaProducer<string, string> producer, SampleSettings settings, ActorSystem system, ILogger logger)
    {
        var clock = Stopwatch.StartNew();
        var (produced, lastOffsets) = await Source.From(Enumerable.Range(0, settings.Records))
            .TakeWithin(settings.Duration)
            .Select(n => new ProducerMessage<string, string, int>(
                new ProducerRecord<string, string>(settings.Topic, SampleSettings.CustomerKey(n), settings.OrderJson("stream", n)), n))
            .Via(KafkaFlow.Create<string, string, int>(producer))
            .Select(result =>
            {
                if (result.PassThrough % 2500 == 0)
                    logger.LogInformation("stream: order {Order} written to partition {Partition} at offset {Offset}",
                        result.PassThrough, result.Metadata.Partition, result.Metadata.Offset);
                return result.Metadata;
            })
            .RunAggregate(
                (Count: 0, Last: new Dictionary<int, long>()),
                (state, metadata) =>
                {
                    state.Last[metadata.Partition] = metadata.Offset;
                    return (state.Count + 1, state.Last);
                },
                system.Materializer());
        return new StreamResult(produced, lastOffsets, clock.Elapsed);
    }
}
