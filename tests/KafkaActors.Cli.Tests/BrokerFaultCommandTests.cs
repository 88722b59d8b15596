using System.Buffers.Binary;
using System.Net.Sockets;
using Confluent.Kafka;
using KafkaActors.Protocol.Framing;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Primitives;
using Xunit;

namespace KafkaActors.Cli.Tests;

/// <summary><c>kafka-actors broker</c>'s fault commands on stdin, each checked through a client of the running process.</summary>
public sealed class BrokerFaultCommandTests
{
    [Fact]
    public async Task Fault_commands_are_answered_one_line_each_and_take_effect()
    {
        using var broker = await BrokerProcess.Start("--brokers", "2", "--topic", "faults:2");
        var bootstrap = broker.BootstrapServers;

        Assert.StartsWith("ok", broker.Command("leader faults 0 2"));
        Assert.Equal(2, Leader(bootstrap, "faults", 0));

        Assert.StartsWith("ok", broker.Command("throttle 1 300"));
        Assert.Equal(300, MetadataThrottleTime(bootstrap.Split(',')[0]));
        Assert.Equal(0, MetadataThrottleTime(bootstrap.Split(',')[1]));
        Assert.StartsWith("ok", broker.Command("throttle 1 0"));
        Assert.Equal(0, MetadataThrottleTime(bootstrap.Split(',')[0]));

        // The next 2 Produce requests fail with INVALID_RECORD (87, not retriable); the third goes through.
        Assert.StartsWith("ok", broker.Command("err 0 87 2"));
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig
               {
                   BootstrapServers = bootstrap, EnableIdempotence = false, MessageSendMaxRetries = 0, Acks = Acks.All, LingerMs = 0,
               }).Build())
        {
            var outcomes = new List<ErrorCode>();
            for (var i = 0; i < 3; i++)
            {
                try
                {
                    await producer.ProduceAsync(new TopicPartition("faults", 1), new Message<Null, string> { Value = $"v{i}" });
                    outcomes.Add(ErrorCode.NoError);
                }
                catch (ProduceException<Null, string> e)
                {
                    outcomes.Add(e.Error.Code);
                }
            }
            Assert.Equal([ErrorCode.InvalidRecord, ErrorCode.InvalidRecord, ErrorCode.NoError], outcomes);
        }

        Assert.StartsWith("ok", broker.Command("rtt 2 10"));
        Assert.StartsWith("ok", broker.Command("down 2"));
        Assert.StartsWith("ok", broker.Command("up 2"));
        Assert.StartsWith("ok", broker.Command("enforce off"));
        Assert.StartsWith("ok", broker.Command("enforce on"));

        Assert.StartsWith("error", broker.Command("enforce maybe"));
        Assert.StartsWith("error", broker.Command("down 9"));
        Assert.StartsWith("error", broker.Command("rtt 1"));
        Assert.StartsWith("error", broker.Command("leader faults 0 -1"));
        Assert.StartsWith("error", broker.Command("err zero 6 1"));
        Assert.StartsWith("error", broker.Command("reboot 1"));
        Assert.StartsWith("ok", broker.Command("# a comment gets no answer, nor does a blank line\n\nup 1"));

        broker.CloseStandardInput();
        Assert.Equal(0, await broker.WaitForExit(TimeSpan.FromSeconds(15)));
        var lines = broker.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(17, lines.Length); // the bootstrap line and one per command
        Assert.All(lines.Skip(1), l => Assert.Matches("^(ok|error)( |$)", l));
    }

    private static int Leader(string bootstrap, string topic, int partition)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        return admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Single(p => p.PartitionId == partition).Leader;
    }

    /// <summary>ThrottleTimeMs of a Metadata v4 answer from one broker (the first field of its body).</summary>
    private static int MetadataThrottleTime(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        socket.Connect(hostPort[..colon], int.Parse(hostPort[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        using var frame = new PooledBufferWriter();
        RequestEncoder.Encode(frame, new MetadataRequest([], false), 4, 7, "cli-test");
        socket.Send(frame.WrittenSpan);
        var size = new byte[4];
        ReceiveExactly(socket, size);
        var response = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        ReceiveExactly(socket, response);
        Assert.Equal(7, BinaryPrimitives.ReadInt32BigEndian(response));
        return BinaryPrimitives.ReadInt32BigEndian(response.AsSpan(4));
    }

    private static void ReceiveExactly(Socket socket, byte[] buffer)
    {
        for (var read = 0; read < buffer.Length;)
        {
            var n = socket.Receive(buffer, read, buffer.Length - read, SocketFlags.None);
            if (n == 0) throw new IOException("The broker closed the connection.");
            read += n;
        }
    }
}
