using System.Text;
using Akka;
using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using Akka.Streams.Dsl;
using KafkaActors.Errors;
using KafkaActors.Hosting.Tests.Support;
using KafkaActors.Streams;
using KafkaActors.Testing.RawLog;
using KafkaActors.Transactions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace KafkaActors.Hosting.Tests;

/// <summary>
/// Transactional producers through WithKafkaProducer: transactional.id from the options or from HOCON; the injected
/// actor (Tell protocol) and the facade run transactions that are read back from the raw log, whose markers give the
/// read_committed view (the mock's Fetch does not filter aborted records).
/// </summary>
[Collection(nameof(KafkaCollection))]
public sealed class TransactionalProducerTests(KafkaCluster kafka)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Marker of the transactional producer actor in the ActorRegistry.</summary>
    private sealed class LedgerProducer;

    private static List<string> Values(IEnumerable<Testing.ConsumedRecord> records) => records.Select(r => Encoding.UTF8.GetString(r.Value!)).ToList();

    private IReadOnlyList<PartitionLog> Logs(string topic) => RawLogReader.ReadLogs(kafka.Bootstrap, topic, Timeout).Values.ToList();

    [Fact]
    public async Task The_hosted_actor_and_facade_init_begin_send_commit_and_abort()
    {
        var topic = kafka.CreateTopic("hosted-txn", 2);
        var transactionalId = $"hosted-{Guid.NewGuid():N}";
        using var host = await TestHost.StartAsync(akka => akka.WithKafkaProducer<LedgerProducer, string, string>("ledger", o =>
        {
            o.BootstrapServers = kafka.Bootstrap;
            o.TransactionalId = transactionalId;
            o.TransactionTimeoutMs = 20_000;
            o.LingerMs = 2;
        }));
        var registry = host.Services.GetRequiredService<IKafkaProducerRegistry>();
        var settings = registry.GetSettings("ledger");
        Assert.Equal(transactionalId, settings.TransactionalId);
        Assert.Equal(20_000, settings.TransactionTimeoutMs);
        Assert.True(settings.EnableIdempotence);

        // Tell: Ask stands in for an actor that waits for each answer.
        var actor = host.Services.GetRequiredService<IRequiredActor<LedgerProducer>>().ActorRef;
        Assert.Same(TransactionsInitialized.Instance, await actor.Ask<object>(InitTransactions.Instance, Timeout));
        Assert.Same(TransactionBegun.Instance, await actor.Ask<object>(BeginTransaction.Instance, Timeout));
        var told = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            actor.Ask<object>(new Produce<string, string>(new ProducerRecord<string, string>(topic, $"k{i % 7}", $"told-{i}"), Correlation: i), Timeout)));
        Assert.All(told, r => Assert.IsType<Delivered>(r));
        Assert.Same(TransactionCommitted.Instance, await actor.Ask<object>(CommitTransaction.Instance, Timeout));

        // Told outside a transaction: refused, with the state named.
        var refused = Assert.IsType<DeliveryFailed>(await actor.Ask<object>(new Produce<string, string>(new ProducerRecord<string, string>(topic, "k", "outside")), Timeout));
        Assert.IsType<TransactionStateException>(refused.Cause);

        // The facade of the same producer: an aborted transaction, then a committed one.
        var producer = registry.Get<string, string>("ledger");
        Assert.Equal(TransactionState.Ready, producer.TransactionState);
        producer.BeginTransaction();
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => producer.SendAsync(new ProducerRecord<string, string>(topic, $"k{i % 7}", $"aborted-{i}")))).WaitAsync(Timeout);
        await producer.AbortTransactionAsync().WaitAsync(Timeout);
        producer.BeginTransaction();
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => producer.SendAsync(new ProducerRecord<string, string>(topic, $"k{i % 7}", $"sent-{i}")))).WaitAsync(Timeout);
        await producer.CommitTransactionAsync().WaitAsync(Timeout);

        await host.StopAsync();

        var logs = Logs(topic);
        var committed = Values(logs.SelectMany(l => l.ReadCommitted()));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"told-{i}").Concat(Enumerable.Range(0, 50).Select(i => $"sent-{i}")).Order(), committed.Order());
        // The aborted records were written (acknowledged before the abort) and stay invisible to read_committed.
        Assert.Equal(50, Values(logs.SelectMany(l => l.ReadUncommitted())).Count(v => v.StartsWith("aborted-", StringComparison.Ordinal)));
        Assert.Equal(Values(logs.SelectMany(l => l.ReadUncommitted())).Order(), Values(kafka.ReadAllUncommitted(topic)).Order());
        Assert.DoesNotContain("outside", Values(logs.SelectMany(l => l.ReadUncommitted())));
    }

    [Fact]
    public async Task A_transactional_id_from_HOCON_drives_a_transactional_sink_in_the_hosted_system()
    {
        var topic = kafka.CreateTopic("hocon-txn", 1);
        var transactionalId = $"hocon-{Guid.NewGuid():N}";
        using var host = await TestHost.StartAsync(akka => akka
            .AddHocon($"akka.kafka.producers.streamed.transactional.id = \"{transactionalId}\"", HoconAddMode.Prepend)
            .WithKafkaProducer<string, string>("streamed", kafka.Bootstrap));
        var producer = host.Services.GetRequiredService<IKafkaProducerRegistry>().Get<string, string>("streamed");
        Assert.Equal(transactionalId, producer.Settings.TransactionalId);
        Assert.Equal(TransactionState.Uninitialized, producer.TransactionState);

        var system = host.Services.GetRequiredService<ActorSystem>();
        await Source.From(Enumerable.Range(0, 250))
            .Select(i => new ProducerMessage<string, string, NotUsed>(new ProducerRecord<string, string>(topic, "k", $"streamed-{i}"), NotUsed.Instance))
            .RunWith(TransactionalSink.Create<string, string, NotUsed>(producer, new TransactionalStreamSettings { CommitEveryRecords = 100 }, offsetOf: null),
                system.Materializer())
            .WaitAsync(Timeout);
        await host.StopAsync();

        var log = Assert.Single(Logs(topic));
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"streamed-{i}"), Values(log.ReadCommitted()));
        Assert.True(log.Batches.Count(b => b.ControlType == ControlRecordType.Commit) >= 3);
        Assert.DoesNotContain(log.Batches, b => b.ControlType == ControlRecordType.Abort);
    }
}
