using Akka.Actor;

namespace KafkaActors.Producer;

/// <summary>Creates an actor with a factory function, for actors whose constructors are not public.</summary>
internal sealed class FactoryProducer<TActor>(Func<TActor> factory) : IIndirectActorProducer where TActor : ActorBase
{
    public Type ActorType => typeof(TActor);

    public ActorBase Produce() => factory();

    public void Release(ActorBase actor) { }

    public static Props Props(Func<TActor> factory) => Akka.Actor.Props.CreateBy(new FactoryProducer<TActor>(factory));
}
