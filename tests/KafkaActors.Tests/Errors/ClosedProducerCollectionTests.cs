using System.Runtime.CompilerServices;
using Akka.Actor;
using KafkaActors.Settings;
using KafkaActors.Tests.Support;
using Xunit;

namespace KafkaActors.Tests.Errors;

/// <summary>
/// Producers in an ActorSystem of the application register a CoordinatedShutdown task, which Akka cannot remove: a
/// closed producer must not stay reachable through it (with its buffer memory), or a producer per stream
/// materialization leaks one producer per run.
/// </summary>
public sealed class ClosedProducerCollectionTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task A_closed_producer_in_a_shared_ActorSystem_can_be_collected()
    {
        using var system = ActorSystem.Create("closed-producer-collection");
        var closed = CreateSendAndClose(system, fixture.CreateTopic("collect", 1));
        for (var i = 0; i < 5 && IsAlive(closed); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(50);
        }
        Assert.False(IsAlive(closed), "the closed producer is still reachable");
    }

    /// <summary>Not inlined: TryGetTarget's out value, even discarded, would otherwise stay in a local of the test and keep the producer alive.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsAlive(WeakReference<KafkaProducer<string?, string?>> reference) => reference.TryGetTarget(out _);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WeakReference<KafkaProducer<string?, string?>> CreateSendAndClose(ActorSystem system, string topic)
    {
        // Not async: an async method's state machine would keep the producer reachable itself.
        var producer = new KafkaProducer<string?, string?>(ProducerSettings.Create(fixture.Bootstrap), system: system);
        producer.SendAsync(new ProducerRecord<string?, string?>(topic, "k", "v")).Wait(TimeSpan.FromSeconds(30));
        producer.Close(TimeSpan.FromSeconds(10));
        return new WeakReference<KafkaProducer<string?, string?>>(producer);
    }
}
