namespace KafkaActors.Protocol.Messages;

/// <summary>FindCoordinatorRequest.json's KeyType: which coordinator a key names.</summary>
public enum CoordinatorType : sbyte
{
    Group = 0,
    Transaction = 1,
}
