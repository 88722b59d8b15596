using KafkaActors.Errors;
using KafkaActors.FaultTests.Support;
using KafkaActors.Testing;
using KafkaActors.Transactions;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.FaultTests;

/// <summary>
/// The transactional producer under faults mid-transaction, against the mock's coordinator and its sequence checks
/// (transactional producers: window of 5, gaps refused): coordinator errors retried, fatal errors, brokers down,
/// leaders moving, Produce errors. Each run commits what it says and nothing else, once, in order.
/// </summary>
public sealed class TransactionFaultTests(ITestOutputHelper output)
{
    private const int PerTransaction = 200;

    /// <summary>Two clean transactions, one with the fault, two clean ones; the fault is set up by <paramref name="inject"/>.</summary>
    private async Task RunAround(FaultCluster cluster, Func<Task> inject, string? transactionalId = null, string batchSize = "4096", int perTransaction = PerTransaction, bool connectionsDropped = false)
    {
        using var log = new CapturedLog();
        await using var producer = TransactionalRun.NewProducer(cluster, transactionalId ?? Guid.NewGuid().ToString("N"), log, ("batch.size", batchSize));
        var run = new TransactionalRun(cluster, producer, output);
        try
        {
            producer.InitTransactions(TimeSpan.FromSeconds(30));
            await run.CommitOne(perTransaction);
            log.Mark("fault");
            await run.CommitOne(perTransaction, inject);
            log.Mark("fault's transaction committed");
            await run.CommitOne(perTransaction);
            Assert.Equal(TransactionState.Ready, producer.TransactionState);
            run.AssertCommittedExactlyOnceInOrder(connectionsDropped);
        }
        catch
        {
            log.WriteTo(output, max: 3000);
            throw;
        }
    }

    [Theory]
    [InlineData(KafkaErrorCodes.CoordinatorNotAvailable)]
    [InlineData(KafkaErrorCodes.NotCoordinator)]
    [InlineData(KafkaErrorCodes.CoordinatorLoadInProgress)]
    public async Task Coordinator_errors_on_FindCoordinator_and_InitProducerId_are_retried(short code)
    {
        using var cluster = new FaultCluster();
        cluster.Kafka.PushRequestErrors(ApiKeys.FindCoordinator, code, code);
        cluster.Kafka.PushRequestErrors(ApiKeys.InitProducerId, code, code);
        await RunAround(cluster, () => Task.CompletedTask);
    }

    [Theory]
    [InlineData(ApiKeys.AddPartitionsToTxn, KafkaErrorCodes.CoordinatorNotAvailable)]
    [InlineData(ApiKeys.AddPartitionsToTxn, KafkaErrorCodes.NotCoordinator)]
    [InlineData(ApiKeys.AddPartitionsToTxn, KafkaErrorCodes.ConcurrentTransactions)]
    [InlineData(ApiKeys.AddPartitionsToTxn, KafkaErrorCodes.CoordinatorLoadInProgress)]
    [InlineData(ApiKeys.EndTxn, KafkaErrorCodes.CoordinatorNotAvailable)]
    [InlineData(ApiKeys.EndTxn, KafkaErrorCodes.NotCoordinator)]
    [InlineData(ApiKeys.EndTxn, KafkaErrorCodes.ConcurrentTransactions)]
    [InlineData(ApiKeys.EndTxn, KafkaErrorCodes.CoordinatorLoadInProgress)]
    public async Task Coordinator_errors_mid_transaction_are_retried_and_the_transaction_commits(short apiKey, short code)
    {
        using var cluster = new FaultCluster();
        cluster.Kafka.StartRequestTracking();
        await RunAround(cluster, () =>
        {
            // The next transaction's partitions were added already by the first half: the second CommitOne's EndTxn,
            // or the third transaction's AddPartitionsToTxn, meets the errors.
            cluster.Kafka.PushRequestErrors(apiKey, code, code);
            return Task.CompletedTask;
        });
        var requests = cluster.Kafka.GetRequests().Count(r => r.ApiKey == apiKey);
        output.WriteLine($"{requests} requests of api {apiKey}");
        Assert.True(requests >= 5, $"{requests}"); // three transactions plus two refused
    }

    [Theory]
    [InlineData(ApiKeys.EndTxn, KafkaErrorCodes.ProducerFenced)]
    [InlineData(ApiKeys.EndTxn, KafkaErrorCodes.TransactionalIdAuthorizationFailed)]
    [InlineData(ApiKeys.AddPartitionsToTxn, KafkaErrorCodes.ProducerFenced)]
    [InlineData(ApiKeys.AddPartitionsToTxn, KafkaErrorCodes.TransactionalIdAuthorizationFailed)]
    public async Task Fatal_errors_make_the_producer_unusable_and_nothing_of_the_transaction_is_committed(short apiKey, short code)
    {
        using var cluster = new FaultCluster();
        await using var producer = TransactionalRun.NewProducer(cluster, Guid.NewGuid().ToString("N"));
        var run = new TransactionalRun(cluster, producer, output);
        producer.InitTransactions(TimeSpan.FromSeconds(30));
        await run.CommitOne(PerTransaction);

        cluster.Kafka.PushRequestErrors(apiKey, code);
        producer.BeginTransaction();
        var sent = run.Send(PerTransaction);
        var error = Assert.ThrowsAny<KafkaException>(() => producer.CommitTransaction(TimeSpan.FromSeconds(30)));
        output.WriteLine($"{error.GetType().Name}: {error.Message}");
        if (code == KafkaErrorCodes.ProducerFenced)
            Assert.True(error is ProducerFencedException || error.InnerException is ProducerFencedException, error.ToString());
        else
            Assert.True((error as ApiException ?? error.InnerException as ApiException)?.ErrorCode == (Protocol.Errors.ErrorCode)code, error.ToString());
        Assert.Equal(TransactionState.FatalError, producer.TransactionState);
        await Task.WhenAll(sent.Select(s => s.Delivery.ContinueWith(_ => { })));
        var begin = Assert.Throws<TransactionStateException>(producer.BeginTransaction);
        Assert.Equal(TransactionState.FatalError, begin.State);
        Assert.Throws<TransactionStateException>(() => producer.AbortTransaction(TimeSpan.FromSeconds(10)));

        run.AssertCommittedExactlyOnceInOrder();
    }

    [Fact]
    public async Task A_partition_leader_down_mid_transaction_then_up_the_transaction_commits()
    {
        using var cluster = new FaultCluster();
        var id = Guid.NewGuid().ToString("N");
        cluster.Kafka.SetTransactionCoordinator(id, 1); // only partition leaders go down here
        await RunAround(cluster, async () =>
        {
            cluster.Kafka.SetBrokerDown(2);
            await Task.Delay(1500);
            cluster.Kafka.SetBrokerUp(2);
        }, id, connectionsDropped: true);
    }

    [Fact]
    public async Task The_coordinator_down_mid_transaction_then_up_the_transaction_commits()
    {
        using var cluster = new FaultCluster();
        var id = Guid.NewGuid().ToString("N");
        cluster.Kafka.SetTransactionCoordinator(id, 3);
        await using var producer = TransactionalRun.NewProducer(cluster, id);
        var run = new TransactionalRun(cluster, producer, output);
        producer.InitTransactions(TimeSpan.FromSeconds(30));
        await run.CommitOne(PerTransaction);
        await run.CommitOne(PerTransaction, async () =>
        {
            cluster.Kafka.SetBrokerDown(3);
            await Task.Delay(1500);
            cluster.Kafka.SetBrokerUp(3);
        });
        await run.CommitOne(PerTransaction);
        run.AssertCommittedExactlyOnceInOrder(connectionsDropped: true);
    }

    [Fact]
    public async Task Leaders_move_mid_transaction_and_the_transaction_commits_in_order()
    {
        using var cluster = new FaultCluster();
        await RunAround(cluster, async () =>
        {
            for (var p = 0; p < cluster.Partitions; p++) cluster.Kafka.SetPartitionLeader(cluster.Topic, p, (p + 1) % 3 + 1);
            await Task.Delay(200);
        });
    }

    [Theory]
    [InlineData(KafkaErrorCodes.NotLeaderOrFollower)]
    [InlineData(KafkaErrorCodes.RequestTimedOut)]
    [InlineData(KafkaErrorCodes.MessageTooLarge)] // split (KIP-126): the pieces carry the refused batch's sequences, which the mock checks here
    public async Task Retriable_produce_errors_mid_transaction_are_retried_in_sequence(short code)
    {
        using var cluster = new FaultCluster();
        await RunAround(cluster, () =>
        {
            cluster.Kafka.PushRequestErrors(ApiKeys.Produce, code, code, code);
            return Task.CompletedTask;
        });
    }

    [Theory]
    [InlineData(KafkaErrorCodes.NotLeaderOrFollower)]
    [InlineData(KafkaErrorCodes.RequestTimedOut)]
    [InlineData((short)-195)] // the mock drops the connection: in-flight batches are resent with their sequences
    public async Task Produce_errors_with_batches_in_flight_are_retried_without_gaps_or_duplicates(short code)
    {
        // With an RTT, up to 5 batches per partition are in flight when the first fails: the mock then refuses the
        // ones behind it (OUT_OF_ORDER_SEQUENCE_NUMBER) or acknowledges their resends as duplicates.
        using var cluster = new FaultCluster();
        await RunAround(cluster, async () =>
        {
            cluster.Kafka.SetBrokerRtt(-1, 60);
            cluster.Kafka.PushRequestErrors(ApiKeys.Produce, code, code);
            await Task.Delay(300);
            cluster.Kafka.SetBrokerRtt(-1, 0);
        }, batchSize: "512", perTransaction: 3000, connectionsDropped: code == -195);
    }

    [Fact]
    public async Task A_leader_down_with_batches_in_flight_mid_transaction_then_up_commits_in_order()
    {
        using var cluster = new FaultCluster();
        var id = Guid.NewGuid().ToString("N");
        cluster.Kafka.SetTransactionCoordinator(id, 1);
        await RunAround(cluster, async () =>
        {
            cluster.Kafka.SetBrokerRtt(-1, 40);
            await Task.Delay(20);
            cluster.Kafka.SetBrokerDown(2);
            await Task.Delay(1000);
            cluster.Kafka.SetBrokerUp(2);
            cluster.Kafka.SetBrokerRtt(-1, 0);
        }, id, batchSize: "512", perTransaction: 3000, connectionsDropped: true);
    }
}
