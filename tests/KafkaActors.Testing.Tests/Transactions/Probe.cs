using System.Text;
using Confluent.Kafka;
using KafkaActors.Protocol.Messages;
using KafkaActors.Protocol.Records;
using KafkaActors.Testing.RawLog;
using KafkaActors.Testing.Transactions;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Testing.Tests.Transactions;

public sealed class Probe(ITestOutputHelper output)
{
    private static byte[][] V(params string[] s) => s.Select(Encoding.UTF8.GetBytes).ToArray();

    [Fact]
    public void ProbeIt()
    {
        using var kafka = EmbeddedKafka.Start(3);
        var topic = "probe";
        kafka.CreateTopic(topic, 3, 1);
        using var a = RawTransactionalProducer.Create(kafka.BootstrapServers, "tx-a");
        output.WriteLine($"find {a.FindCoordinator()} coord {a.CoordinatorId}");
        output.WriteLine($"init {a.InitProducerId()} {a.ProducerId}/{a.ProducerEpoch}");
        // p0 committed, p1 aborted, p2 open
        output.WriteLine($"add {string.Join(",", a.AddPartitions(topic, 0))}");
        output.WriteLine($"produce {a.Produce(topic, 0, V("c1", "c2"))}");
        output.WriteLine($"produce {a.Produce(topic, 0, V("c3"))}");
        output.WriteLine($"addoffsets {a.AddOffsets("g1")}");
        output.WriteLine($"txnoffsetcommit {string.Join(",", a.CommitOffsets("g1", topic, new Dictionary<int, long> { [0] = 42 }))}");
        Committed(kafka, "g1", topic, "before commit");
        output.WriteLine($"end commit {a.EndTxn(true)}");
        Committed(kafka, "g1", topic, "after commit");
        output.WriteLine($"end again {a.EndTxn(true)}");
        output.WriteLine($"add {string.Join(",", a.AddPartitions(topic, 1))}");
        output.WriteLine($"produce {a.Produce(topic, 1, V("a1", "a2"))}");
        output.WriteLine($"produce p0 not added {a.Produce(topic, 0, V("na1"))}");
        output.WriteLine($"addoffsets {a.AddOffsets("g2")}");
        output.WriteLine($"txnoffsetcommit {string.Join(",", a.CommitOffsets("g2", topic, new Dictionary<int, long> { [1] = 7 }))}");
        output.WriteLine($"end abort {a.EndTxn(false)}");
        Committed(kafka, "g2", topic, "after abort");
        output.WriteLine($"add {string.Join(",", a.AddPartitions(topic, 2))}");
        output.WriteLine($"produce {a.Produce(topic, 2, V("o1", "o2"))}");
        output.WriteLine($"seq p0 {a.NextSequence(topic, 0)}");

        foreach (var iso in new[] { IsolationLevel.ReadUncommitted, IsolationLevel.ReadCommitted })
        foreach (var crc in new[] { false, true })
        {
            try
            {
                var recs = Read(kafka.BootstrapServers, topic, iso, crc);
                output.WriteLine($"{iso} crc={crc}: " + string.Join(" ", recs));
            }
            catch (Exception e) { output.WriteLine($"{iso} crc={crc}: {e.GetType().Name} {e.Message}"); }
        }
        Watermarks(kafka.BootstrapServers, topic, IsolationLevel.ReadCommitted);
        Watermarks(kafka.BootstrapServers, topic, IsolationLevel.ReadUncommitted);
        RawFetch(kafka, topic);

        // second init for same tid while p2 open
        using var b = RawTransactionalProducer.Create(kafka.BootstrapServers, "tx-a");
        output.WriteLine($"init b {b.InitProducerId()} {b.ProducerId}/{b.ProducerEpoch}");
        output.WriteLine($"a produce after b init {a.Produce(topic, 2, V("o3"))}");
        output.WriteLine($"a end commit after b init {a.EndTxn(true)}");
        RawFetch(kafka, topic);
        // KIP-360 bump
        output.WriteLine($"bump b {b.InitProducerId(b.ProducerId, b.ProducerEpoch)} {b.ProducerId}/{b.ProducerEpoch}");
        output.WriteLine($"bump b wrong epoch {b.InitProducerId(b.ProducerId, 0)} ");
        for (short v = 0; v <= 4; v++)
        {
            using var c = RawTransactionalProducer.Create(kafka.BootstrapServers, "tx-c");
            output.WriteLine($"init v{v} {c.InitProducerId(version: v)} {c.ProducerId}/{c.ProducerEpoch}");
        }
    }

    private void Committed(EmbeddedKafka kafka, string group, string topic, string when)
    {
        LibRdKafka.EnsureLoaded();
        using var c = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = group }).Build();
        var got = c.Committed(Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(5));
        output.WriteLine($"committed {group} {when}: " + string.Join(" ", got.Select(g => $"{g.Partition.Value}={g.Offset}")));
    }

    private void Watermarks(string bs, string topic, IsolationLevel iso)
    {
        using var c = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bs, GroupId = "x", IsolationLevel = iso }).Build();
        for (var p = 0; p < 3; p++)
        {
            var w = c.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(5));
            output.WriteLine($"{iso} wm p{p}: {w.Low}..{w.High}");
        }
    }

    private void RawFetch(EmbeddedKafka kafka, string topic)
    {
        var md = KafkaReader.GetPartitionCount(kafka.BootstrapServers, topic);
        using var boot = KafkaWireClient.Connect(kafka.BootstrapServers.Split(',')[0]);
        var meta = MetadataResponse.Parse(boot.Send(new MetadataRequest([topic], false), 4), 4);
        foreach (var part in meta.Topics[0].Partitions.OrderBy(p => p.PartitionIndex))
        {
            var br = meta.Brokers.Single(b => b.NodeId == part.LeaderId);
            using var c = KafkaWireClient.Connect(br.Host, br.Port);
            for (sbyte iso = 0; iso <= 1; iso++)
            {
                var off = 0L;
                while (true)
                {
                    var f = FetchResponse.Parse(c.Send(new FetchRequest(topic, [new FetchPartition(part.PartitionIndex, off, 1 << 20)], 0, 0, IsolationLevel: iso), 11), 11).Partitions[0];
                    var bs = RecordBatchReader.ReadAll(f.Records, verifyCrc: false);
                    output.WriteLine($"raw p{part.PartitionIndex} iso{iso} @{off}: err {f.ErrorCode} hw {f.HighWatermark} lso {f.LastStableOffset} aborted [{string.Join(",", f.AbortedTransactions ?? [])}] batches: " +
                        string.Join(" | ", bs.Select(b => $"{b.BaseOffset}..{b.LastOffset} pid {b.ProducerId}/{b.ProducerEpoch} seq {b.BaseSequence} tx {b.IsTransactional} ctl {b.IsControl} crc {b.Crc:x8} key {(b.IsControl ? Convert.ToHexString(b.Records[0].Key!) : "")}")));
                    if (bs.Count == 0 || f.ErrorCode != 0) break;
                    off = bs[^1].LastOffset + 1;
                }
            }
        }
    }

    private static List<string> Read(string bs, string topic, IsolationLevel iso, bool crc)
    {
        LibRdKafka.EnsureLoaded();
        using var c = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bs, GroupId = "r" + Guid.NewGuid(), IsolationLevel = iso, CheckCrcs = crc, EnablePartitionEof = true, EnableAutoCommit = false,
        }).Build();
        c.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset(topic, p, 0)));
        var eof = new HashSet<int>();
        var res = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (eof.Count < 3 && DateTime.UtcNow < deadline)
        {
            var r = c.Consume(TimeSpan.FromMilliseconds(200));
            if (r is null) continue;
            if (r.IsPartitionEOF) { eof.Add(r.Partition.Value); res.Add($"EOF p{r.Partition.Value}@{r.Offset}"); continue; }
            res.Add($"p{r.Partition.Value}@{r.Offset}={Encoding.UTF8.GetString(r.Message.Value)}");
        }
        if (eof.Count < 3) res.Add("TIMEOUT");
        return res;
    }
}
