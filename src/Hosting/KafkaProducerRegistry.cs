using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using KafkaActors.Settings;

namespace KafkaActors.Hosting;

/// <summary>
/// The <see cref="IKafkaProducerRegistry"/> of an ActorSystem, kept as an Akka extension so that it lives
/// and dies with the system: <see cref="For"/> from anywhere that has the system, or inject
/// <see cref="IKafkaProducerRegistry"/> after <c>services.AddKafkaProducerRegistry()</c>. The producers
/// themselves close in CoordinatedShutdown; the registry only finds them. Thread-safe.
/// </summary>
public sealed class KafkaProducerRegistry : IKafkaProducerRegistry, IExtension
{
    private readonly ConcurrentDictionary<string, Entry> _producers = new(StringComparer.Ordinal);

    internal KafkaProducerRegistry() { }

    /// <summary>The registry of <paramref name="system"/>.</summary>
    public static KafkaProducerRegistry For(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.WithExtension<KafkaProducerRegistry, KafkaProducerRegistryId>();
    }

    /// <inheritdoc />
    public IReadOnlyCollection<string> Names => _producers.Keys.ToArray();

    /// <inheritdoc />
    public bool Contains(string name) => _producers.ContainsKey(name);

    /// <inheritdoc />
    public KafkaProducer<TKey, TValue> Get<TKey, TValue>(string name) =>
        Find(name).Producer as KafkaProducer<TKey, TValue>
        ?? throw new InvalidCastException($"Kafka producer '{name}' is a {Describe(Find(name).Producer.GetType())}, not a {Describe(typeof(KafkaProducer<TKey, TValue>))}.");

    /// <inheritdoc />
    public bool TryGet<TKey, TValue>(string name, [NotNullWhen(true)] out KafkaProducer<TKey, TValue>? producer)
    {
        producer = _producers.TryGetValue(name, out var entry) ? entry.Producer as KafkaProducer<TKey, TValue> : null;
        return producer is not null;
    }

    /// <inheritdoc />
    public IActorRef GetActor(string name) => Find(name).Actor;

    /// <inheritdoc />
    public ProducerSettings GetSettings(string name) => Find(name).Settings;

    internal void Add<TKey, TValue>(string name, KafkaProducer<TKey, TValue> producer)
    {
        if (!_producers.TryAdd(name, new Entry(producer, producer.Actor, producer.Settings)))
            throw new InvalidOperationException($"A Kafka producer named '{name}' is already running in this ActorSystem.");
    }

    private Entry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _producers.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"No Kafka producer named '{name}'{(_producers.IsEmpty ? " (none is running: has the host started?)" : $"; running: {string.Join(", ", _producers.Keys)}")}.");
    }

    private static string Describe(Type type) =>
        type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>" : type.Name;

    private sealed record Entry(object Producer, IActorRef Actor, ProducerSettings Settings);
}

/// <summary>Creates the one <see cref="KafkaProducerRegistry"/> of an ActorSystem.</summary>
internal sealed class KafkaProducerRegistryId : ExtensionIdProvider<KafkaProducerRegistry>
{
    public override KafkaProducerRegistry CreateExtension(ExtendedActorSystem system) => new();
}
