namespace KafkaActors.Network;

/// <summary>Where a connection goes. Bootstrap addresses get negative node ids until Metadata names the brokers (as in Java).</summary>
internal sealed record BrokerEndpoint(int NodeId, string Host, int Port)
{
    public static BrokerEndpoint Parse(int nodeId, string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        var host = hostPort[..colon].Trim('[', ']');
        return new BrokerEndpoint(nodeId, host, int.Parse(hostPort[(colon + 1)..]));
    }

    public override string ToString() => $"{NodeId} ({Host}:{Port})";
}
