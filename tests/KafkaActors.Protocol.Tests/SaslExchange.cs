using KafkaActors.Protocol.Security;
using KafkaActors.Testing.Secure;

namespace KafkaActors.Protocol.Tests;

/// <summary>Runs a client against a server mechanism the way a connection and the secure front pass the bytes.</summary>
internal static class SaslExchange
{
    /// <summary>Returns the number of client messages sent; throws whatever either side throws.</summary>
    public static int Run(ISaslClient client, ISaslServerMechanism server)
    {
        var message = client.InitialResponse();
        for (var sent = 1; sent < 10; sent++)
        {
            var answer = server.Evaluate(message);
            var next = client.EvaluateChallenge(answer);
            if (next is null) return sent;
            message = next;
        }
        throw new InvalidOperationException("The exchange did not end.");
    }
}
