using System.Collections.Concurrent;
using Akka.Streams.Dsl;
using KafkaActors.Protocol.Primitives;
using KafkaActors.Settings;
using KafkaActors.Streams;
using KafkaActors.Testing;
using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Secure;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Streams;

/// <summary>
/// Consumed offsets carried as pass-through reach the group coordinator with each transaction, as the next offset to
/// consume. The mock answers TxnOffsetCommit but never stores its offsets (measured by the Testing tests: neither an
/// OffsetFetch nor Confluent's Committed() shows them), so the oracle is the TxnOffsetCommit requests themselves, taken
/// off the wire by a plaintext front before the mock and decoded here; the mock's answer decides the stream's success.
/// </summary>
public sealed class TransactionalOffsetsTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<OffsetCommit> _commits = new();
    private readonly SecureEmbeddedKafka _kafka;

    public TransactionalOffsetsTests(ITestOutputHelper output) : base(ActorTestConfig.Hocon, output)
    {
        LibRdKafka.EnsureLoaded();
        var options = new SecureKafkaOptions { SecurityProtocol = ListenerSecurityProtocol.Plaintext };
        options.FrameHandlers.Add(_ => new TxnOffsetCommitRecorder(_commits));
        _kafka = SecureEmbeddedKafka.Start(options);
    }

    /// <summary>One TxnOffsetCommit request as the front saw it.</summary>
    private sealed record OffsetCommit(string TransactionalId, string GroupId, int GenerationId, string MemberId, IReadOnlyDictionary<(string Topic, int Partition), long> Offsets);

    /// <summary>Decodes every TxnOffsetCommit (v0-3) of its connection, then lets it through.</summary>
    private sealed class TxnOffsetCommitRecorder(ConcurrentQueue<OffsetCommit> commits) : IFrameHandler
    {
        public FrameAction OnRequest(in KafkaRequestFrame request)
        {
            if (request.ApiKey != ApiKeys.TxnOffsetCommit) return FrameAction.Pass;
            var version = request.ApiVersion;
            var flexible = version >= 3;
            var reader = new ProtocolReader(request.Body(flexible));
            var transactionalId = reader.ReadRequiredString(flexible);
            var groupId = reader.ReadRequiredString(flexible);
            reader.ReadInt64(); // producer id
            reader.ReadInt16(); // producer epoch
            var generation = -1;
            var member = "";
            if (version >= 3)
            {
                generation = reader.ReadInt32();
                member = reader.ReadRequiredString(flexible);
                reader.ReadString(flexible); // group instance id
            }
            var offsets = new Dictionary<(string, int), long>();
            for (int t = 0, topics = reader.ReadArrayLength(flexible); t < topics; t++)
            {
                var topic = reader.ReadRequiredString(flexible);
                for (int p = 0, partitions = reader.ReadArrayLength(flexible); p < partitions; p++)
                {
                    var partition = reader.ReadInt32();
                    offsets[(topic, partition)] = reader.ReadInt64();
                    if (version >= 2) reader.ReadInt32(); // leader epoch
                    reader.ReadString(flexible); // metadata
                    if (flexible) reader.SkipTaggedFields();
                }
                if (flexible) reader.SkipTaggedFields();
            }
            commits.Enqueue(new OffsetCommit(transactionalId, groupId, generation, member, offsets));
            return FrameAction.Pass;
        }
    }

    [Fact]
    public async Task Each_transaction_sends_the_highest_consumed_offset_plus_one_per_partition_for_the_group()
    {
        var input = Topics.Unique("consumed");
        var output = Topics.Unique("produced");
        _kafka.Cluster.CreateTopic(input, 2);
        _kafka.Cluster.CreateTopic(output, 1);
        var transactionalId = Topics.Unique("offsets-txn");
        var group = new ConsumerGroupMetadata(Topics.Unique("group"), GenerationId: 5, MemberId: "member-1");
        await using var producer = new KafkaProducer<string?, string?>(
            Producers.Settings(_kafka.BootstrapServers, (ProducerConfig.TransactionalId, transactionalId), (ProducerConfig.LingerMs, "2")), system: Sys);

        // Element i was consumed from partition i % 2 at offset 1000 + i / 2: 300 of them, 100 per transaction.
        var messages = Enumerable.Range(0, 300).Select(i => new ProducerMessage<string?, string?, PartitionOffset>(
            new ProducerRecord<string?, string?>(output, null, $"v{i}"), new PartitionOffset(new TopicPartition(input, i % 2), 1000 + i / 2)));
        var results = await Source.From(messages)
            .Via(TransactionalFlow.Create(producer, new TransactionalStreamSettings { CommitEveryRecords = 100, CommitInterval = TimeSpan.FromMinutes(10), ConsumerGroup = group }))
            .RunWith(Sink.Seq<ProducerResult<string?, string?, PartitionOffset>>(), Sys)
            .WaitAsync(Wait);

        Assert.Equal(messages.Select(m => m.PassThrough), results.Select(r => r.PassThrough));
        var commits = _commits.ToList();
        Assert.Equal(3, commits.Count);
        Assert.All(commits, c =>
        {
            Assert.Equal(transactionalId, c.TransactionalId);
            Assert.Equal(group.GroupId, c.GroupId);
            Assert.Equal(5, c.GenerationId);
            Assert.Equal("member-1", c.MemberId);
        });
        Assert.Equal([1050L, 1100L, 1150L], commits.Select(c => c.Offsets[(input, 0)]));
        Assert.Equal([1050L, 1100L, 1150L], commits.Select(c => c.Offsets[(input, 1)]));
        Assert.All(commits, c => Assert.Equal(2, c.Offsets.Count));

        var log = RawLogReader.ReadLogs(_kafka.Cluster.BootstrapServers, output, Wait)[0];
        Assert.Equal(300, log.ReadCommitted().Count);
        Assert.Equal(3, log.Batches.Count(b => b.ControlType == ControlRecordType.Commit));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _kafka.Dispose();
    }
}
