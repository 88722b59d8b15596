using Akka.Actor;
using KafkaActors.Settings;

namespace KafkaActors.Hosting;

/// <summary>
/// The producers started by <see cref="KafkaProducerHostingExtensions"/> in one ActorSystem, by name.
/// Filled in while the host starts (in <c>WithActors</c>), so use it once the host has started.
/// Thread-safe.
/// </summary>
public interface IKafkaProducerRegistry
{
    /// <summary>The names of the producers started so far.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Whether a producer of that name has been started.</summary>
    bool Contains(string name);

    /// <summary>The producer facade (SendAsync, Flush, KafkaFlow/KafkaSink).</summary>
    /// <exception cref="KeyNotFoundException">No producer of that name (or the host has not started yet).</exception>
    /// <exception cref="InvalidCastException">The producer has other key or value types.</exception>
    KafkaProducer<TKey, TValue> Get<TKey, TValue>(string name);

    /// <summary>The producer facade, if one of that name and those types exists.</summary>
    bool TryGet<TKey, TValue>(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KafkaProducer<TKey, TValue>? producer);

    /// <summary>The producer actor: Tell it <c>Produce&lt;TKey,TValue&gt;</c> or <c>ProducerRecord&lt;TKey,TValue&gt;</c>.</summary>
    /// <exception cref="KeyNotFoundException">No producer of that name (or the host has not started yet).</exception>
    IActorRef GetActor(string name);

    /// <summary>The settings the producer runs with, after all layers were applied.</summary>
    /// <exception cref="KeyNotFoundException">No producer of that name (or the host has not started yet).</exception>
    ProducerSettings GetSettings(string name);
}
