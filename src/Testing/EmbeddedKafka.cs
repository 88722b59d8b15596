using System.Runtime.InteropServices;
using KafkaActors.Testing.Native;

namespace KafkaActors.Testing;

/// <summary>
/// An in-process Kafka cluster: librdkafka's mock cluster, listening on 127.0.0.1 with brokers
/// 1..n, plus its fault-injection API. Starts in milliseconds and needs no JVM or Docker.
/// </summary>
/// <remarks>
/// Any number of instances may live in one process at once, each on its own ports. All methods are
/// thread-safe and take effect before they return. Mind the mock's quirks (see librdkafka's
/// rdkafka_mock.h): no CRC check on write, acks ignored, at most 5 MiB kept per partition, no
/// idempotent de-duplication, and no CreateTopics admin API (use <see cref="CreateTopic"/>).
/// </remarks>
public sealed class EmbeddedKafka : IDisposable
{
    /// <summary>Pass as a broker id to address every broker at once.</summary>
    public const int AllBrokers = -1;

    private readonly MockClusterHandle _handle;
    private readonly object _brokersGate = new();
    private readonly SortedSet<int> _brokerIds;

    private EmbeddedKafka(MockClusterHandle handle, int brokers)
    {
        _handle = handle;
        _brokerIds = new SortedSet<int>(Enumerable.Range(1, brokers));
        BootstrapServers = Call(mc => Marshal.PtrToStringUTF8(NativeMethods.rd_kafka_mock_cluster_bootstraps(mc)))
            ?? throw new EmbeddedKafkaException("rd_kafka_mock_cluster_bootstraps returned NULL");
    }

    /// <summary>Starts a mock cluster with <paramref name="brokers"/> brokers (ids 1..n).</summary>
    /// <param name="brokers">Number of brokers, at least 1.</param>
    public static EmbeddedKafka Start(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        var config = new Dictionary<string, string>
        {
            // The mock's max request size is its owning handle's receive.message.max.bytes: keep
            // it at the 100 MB ceiling so big batches are never refused for that reason.
            ["receive.message.max.bytes"] = "100000000",
            // The owning handle has no bootstrap.servers and would say so at notice level;
            // keep errors (the mock logs listener failures as LOG_CRIT).
            ["log_level"] = "3",
        };
        return new EmbeddedKafka(MockClusterHandle.Create(brokers, config), brokers);
    }

    /// <summary>Comma-separated <c>host:port</c> list of the brokers' own listeners as started, for a client's <c>bootstrap.servers</c> (unchanged by <see cref="SetBrokerHostPort"/>).</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers currently in the cluster (after <see cref="AddBroker"/> / <see cref="DecommissionBroker"/>).</summary>
    public int BrokerCount
    {
        get { lock (_brokersGate) return _brokerIds.Count; }
    }

    /// <summary>Ids of the brokers currently in the cluster, ascending (1..n when started).</summary>
    public IReadOnlyList<int> BrokerIds
    {
        get { lock (_brokersGate) return _brokerIds.ToArray(); }
    }

    /// <summary>True once <see cref="Dispose"/> ran.</summary>
    public bool IsDisposed => _handle.IsClosed;

    // ---- topics and partitions ------------------------------------------------------------

    /// <summary>Creates a topic (the mock does not implement the CreateTopics API, so clients cannot).</summary>
    /// <remarks>The mock caps the replication factor at the broker count and picks each partition's leader at random among its replicas.</remarks>
    /// <exception cref="EmbeddedKafkaException">E.g. <c>TOPIC_ALREADY_EXISTS</c>, or an invalid count.</exception>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        Check(Call(mc => NativeMethods.rd_kafka_mock_topic_create(mc, topic, partitions, replicationFactor)),
            $"create topic '{topic}' ({partitions} partitions, RF {replicationFactor})");
    }

    /// <summary>Deletes a topic; later requests for it get UNKNOWN_TOPIC_OR_PARTITION.</summary>
    public void DeleteTopic(string topic) =>
        Check(Call(mc => NativeMethods.rd_kafka_mock_topic_delete(mc, topic)), $"delete topic '{topic}'");

    /// <summary>Deletes records before <paramref name="beforeOffset"/>, raising the log start offset.</summary>
    public void DeleteRecords(string topic, int partition, long beforeOffset) =>
        Check(Call(mc => NativeMethods.rd_kafka_mock_partition_delete_records(mc, topic, partition, beforeOffset)),
            $"delete records of {topic}[{partition}] before {beforeOffset}");

    /// <summary>
    /// Sets the error the topic reports in Metadata (and AddPartitionsToTxn) responses; 0 clears it.
    /// Other requests for the topic are unaffected.
    /// </summary>
    public void SetTopicError(string topic, short error) =>
        Call(mc => { NativeMethods.rd_kafka_mock_topic_set_error(mc, topic, error); return 0; });

    /// <summary>Moves the partition's leadership to <paramref name="brokerId"/> (or -1: leaderless) and bumps the leader epoch.</summary>
    /// <remarks>Creates the topic if missing. Leaderless partitions crash the mock on Produce v10: cap Produce at v9 with <see cref="SetApiVersion"/>.</remarks>
    public void SetPartitionLeader(string topic, int partition, int brokerId) =>
        Check(Call(mc => NativeMethods.rd_kafka_mock_partition_set_leader(mc, topic, partition, brokerId)),
            $"set leader of {topic}[{partition}] to {brokerId}");

    /// <summary>Sets the partition's preferred read replica (follower); the id need not exist.</summary>
    public void SetPartitionFollower(string topic, int partition, int brokerId) =>
        Check(Call(mc => NativeMethods.rd_kafka_mock_partition_set_follower(mc, topic, partition, brokerId)),
            $"set follower of {topic}[{partition}] to {brokerId}");

    /// <summary>Sets the follower's low/high watermarks; -1 reverts to the leader's.</summary>
    public void SetPartitionFollowerWatermarks(string topic, int partition, long low, long high) =>
        Check(Call(mc => NativeMethods.rd_kafka_mock_partition_set_follower_wmarks(mc, topic, partition, low, high)),
            $"set follower watermarks of {topic}[{partition}]");

    /// <summary>Queues a leader (and epoch) for the partition that the next Metadata response reports, whatever the real leader is.</summary>
    public void PartitionPushLeaderResponse(string topic, int partition, int leaderId, int leaderEpoch) =>
        Check(Call(mc => NativeMethods.rd_kafka_mock_partition_push_leader_response(mc, topic, partition, leaderId, leaderEpoch)),
            $"push leader response for {topic}[{partition}]");

    // ---- brokers ------------------------------------------------------------------------------

    /// <summary>Drops the broker's connections and refuses new ones; the port stays bound and leadership does not move.</summary>
    /// <param name="brokerId">A broker id, or <see cref="AllBrokers"/>.</param>
    public void SetBrokerDown(int brokerId) =>
        Check(Call(mc => NativeMethods.rd_kafka_mock_broker_set_down(mc, brokerId)), $"set broker {brokerId} down");

    /// <summary>Lets the broker accept connections again.</summary>
    /// <param name="brokerId">A broker id, or <see cref="AllBrokers"/>.</param>
    public void SetBrokerUp(int brokerId) =>
        Check(Call(mc => NativeMethods.rd_kafka_mock_broker_set_up(mc, brokerId)), $"set broker {brokerId} up");

    /// <summary>Delays every response of the broker by <paramref name="rttMs"/> (requests are still applied on arrival).</summary>
    /// <param name="brokerId">A broker id, or <see cref="AllBrokers"/>.</param>
    /// <param name="rttMs">Added round-trip time in milliseconds; 0 removes it.</param>
    public void SetBrokerRtt(int brokerId, int rttMs) =>
        Check(Call(mc => NativeMethods.rd_kafka_mock_broker_set_rtt(mc, brokerId, rttMs)), $"set RTT of broker {brokerId}");

    /// <summary>Sets the broker's rack, as reported in Metadata.</summary>
    public void SetBrokerRack(int brokerId, string rack) =>
        Check(Call(mc => NativeMethods.rd_kafka_mock_broker_set_rack(mc, brokerId, rack)), $"set rack of broker {brokerId}");

    /// <summary>
    /// Makes the broker advertise <paramref name="host"/>:<paramref name="port"/> in Metadata and FindCoordinator, e.g. a
    /// relay in front of it (librdkafka 2.10+). The broker keeps listening on its own address, so the relay can connect
    /// there; <see cref="BootstrapServers"/> and <c>rd_kafka_mock_cluster_bootstraps</c> keep naming that own address (measured on 2.16).
    /// </summary>
    public void SetBrokerHostPort(int brokerId, string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        Call(mc => { NativeMethods.rd_kafka_mock_broker_set_host_port(mc, brokerId, host, port); return 0; });
    }

    /// <summary>Removes the broker from the cluster for good and reassigns its partitions.</summary>
    public void DecommissionBroker(int brokerId)
    {
        Check(Call(mc => NativeMethods.rd_kafka_mock_broker_decommission(mc, brokerId)), $"decommission broker {brokerId}");
        lock (_brokersGate)
        {
            if (brokerId == AllBrokers) _brokerIds.Clear();
            else _brokerIds.Remove(brokerId);
        }
    }

    /// <summary>Adds a broker with the given id and reassigns partitions. Note <see cref="BootstrapServers"/> is not updated.</summary>
    public void AddBroker(int brokerId)
    {
        Check(Call(mc => NativeMethods.rd_kafka_mock_broker_add(mc, brokerId)), $"add broker {brokerId}");
        lock (_brokersGate) _brokerIds.Add(brokerId);
    }

    /// <summary>Hides the broker from Metadata and moves its partitions away, keeping its open connections.</summary>
    public void RemoveBrokerFromMetadata(int brokerId) =>
        Check(Call(mc => NativeMethods.rd_kafka_mock_broker_remove_from_metadata(mc, brokerId)), $"remove broker {brokerId} from metadata");

    /// <summary>Sets the coordinator broker for a key.</summary>
    /// <param name="keyType"><c>"transaction"</c> or <c>"group"</c>.</param>
    /// <param name="key">Transactional id or group id.</param>
    /// <param name="brokerId">The coordinator.</param>
    public void SetCoordinator(string keyType, string key, int brokerId) =>
        Check(Call(mc => NativeMethods.rd_kafka_mock_coordinator_set(mc, keyType, key, brokerId)), $"set {keyType} coordinator for '{key}'");

    /// <summary>
    /// Makes <paramref name="brokerId"/> the transaction coordinator of <paramref name="transactionalId"/>: FindCoordinator
    /// names it from now on, and the other brokers answer InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn and
    /// EndTxn for this id with NOT_COORDINATOR. The producer state (ids, epochs, the open transaction) is cluster-wide
    /// in the mock, so it moves along. Without this call the coordinator is picked from a hash of the id.
    /// </summary>
    public void SetTransactionCoordinator(string transactionalId, int brokerId) => SetCoordinator("transaction", transactionalId, brokerId);

    /// <summary>
    /// Makes <paramref name="brokerId"/> the group coordinator of <paramref name="groupId"/>: FindCoordinator names it, and
    /// the other brokers answer group requests (TxnOffsetCommit among them) for this group with NOT_COORDINATOR.
    /// </summary>
    public void SetGroupCoordinator(string groupId, int brokerId) => SetCoordinator("group", groupId, brokerId);

    /// <summary>Sets the controller id reported in Metadata; -1 means no controller.</summary>
    public void SetControllerId(int brokerId) =>
        Call(mc => { NativeMethods.rd_kafka_mock_set_controller_id(mc, brokerId); return 0; });

    /// <summary>
    /// Sets the version range the cluster advertises (and accepts) for an API; -1/-1 disables it.
    /// Requests above the advertised max make the mock close the connection.
    /// </summary>
    public void SetApiVersion(short apiKey, short minVersion, short maxVersion) =>
        Check(Call(mc => NativeMethods.rd_kafka_mock_set_apiversion(mc, apiKey, minVersion, maxVersion)),
            $"set versions of API {apiKey} to {minVersion}..{maxVersion}");

    // ---- error injection --------------------------------------------------------------------

    /// <summary>
    /// Makes the next <c>errorCodes.Length</c> requests of <paramref name="apiKey"/>, on any broker,
    /// fail with these codes in order (cluster-wide FIFO). Nothing is written for a failed request.
    /// </summary>
    /// <param name="apiKey">See <see cref="ApiKeys"/>.</param>
    /// <param name="errorCodes">Kafka error codes; <see cref="KafkaErrorCodes.Transport"/> closes the connection instead.</param>
    public void PushRequestErrors(short apiKey, params short[] errorCodes)
    {
        ArgumentNullException.ThrowIfNull(errorCodes);
        if (errorCodes.Length == 0)
            return;
        var errors = Array.ConvertAll(errorCodes, e => (int)e);
        Call(mc => { NativeMethods.rd_kafka_mock_push_request_errors_array(mc, apiKey, (nuint)errors.Length, errors); return 0; });
    }

    /// <summary>Empties the cluster-wide error stack of <paramref name="apiKey"/>.</summary>
    public void ClearRequestErrors(short apiKey) =>
        Call(mc => { NativeMethods.rd_kafka_mock_clear_request_errors(mc, apiKey); return 0; });

    /// <summary>
    /// Pushes (error, RTT) entries onto one broker's stack for <paramref name="apiKey"/>; they are used
    /// before the cluster-wide stack. <c>(0, rtt)</c> means "write the records, answer after rtt".
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">On macOS arm64, where the C varargs cannot be called.</exception>
    public void PushBrokerRequestErrorRtts(int brokerId, short apiKey, params (short Error, int RttMs)[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ThrowIfVarargsUnsupported();
        // One entry per call keeps the arity fixed (see NativeMethods); entries append in order.
        foreach (var (error, rtt) in errors)
        {
            Check(Call(mc => NativeMethods.rd_kafka_mock_broker_push_request_error_rtts_1(mc, brokerId, apiKey, 1, error, rtt)),
                $"push error {error} with RTT {rtt} ms on broker {brokerId} for API {apiKey}");
        }
    }

    /// <summary>How many entries are left on one broker's error stack for <paramref name="apiKey"/>.</summary>
    public unsafe int GetBrokerErrorStackCount(int brokerId, short apiKey)
    {
        var (err, count) = Call(mc =>
        {
            nuint n = 0;
            var e = NativeMethods.rd_kafka_mock_broker_error_stack_cnt(mc, brokerId, apiKey, &n);
            return (e, n);
        });
        Check(err, $"get error stack count of broker {brokerId} for API {apiKey}");
        return checked((int)count);
    }

    /// <summary>
    /// Pushes partition-level error codes for requests of <paramref name="apiKey"/> that reference this
    /// partition, one per request; other partitions in the same request are unaffected. Lowest precedence.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">On macOS arm64, where the C varargs cannot be called.</exception>
    public void PushPartitionRequestErrors(string topic, int partition, short apiKey, params short[] errorCodes)
    {
        ArgumentNullException.ThrowIfNull(errorCodes);
        ThrowIfVarargsUnsupported();
        foreach (var error in errorCodes)
        {
            Check(Call(mc => NativeMethods.rd_kafka_mock_partition_push_request_errors_1(mc, topic, partition, apiKey, 1, error)),
                $"push partition error {error} on {topic}[{partition}] for API {apiKey}");
        }
    }

    // ---- request tracking -------------------------------------------------------------------

    /// <summary>Starts recording every request the cluster receives (clearing earlier records).</summary>
    public void StartRequestTracking() =>
        Call(mc => { NativeMethods.rd_kafka_mock_start_request_tracking(mc); return 0; });

    /// <summary>Stops recording. librdkafka also clears the records here, so call <see cref="GetRequests"/> first.</summary>
    public void StopRequestTracking() =>
        Call(mc => { NativeMethods.rd_kafka_mock_stop_request_tracking(mc); return 0; });

    /// <summary>Forgets the requests recorded so far.</summary>
    public void ClearRequests() =>
        Call(mc => { NativeMethods.rd_kafka_mock_clear_requests(mc); return 0; });

    /// <summary>A snapshot of the requests recorded since tracking started, in arrival order.</summary>
    public unsafe IReadOnlyList<MockRequest> GetRequests() => Call(mc =>
    {
        nuint count = 0;
        var array = NativeMethods.rd_kafka_mock_get_requests(mc, &count);
        if (array == null)
            return Array.Empty<MockRequest>();
        try
        {
            var result = new MockRequest[(int)count];
            for (var i = 0; i < result.Length; i++)
            {
                var r = array[i];
                result[i] = new MockRequest(
                    NativeMethods.rd_kafka_mock_request_id(r),
                    NativeMethods.rd_kafka_mock_request_api_key(r),
                    NativeMethods.rd_kafka_mock_request_timestamp(r));
            }
            return result;
        }
        finally
        {
            // Frees each copied request and the array itself.
            NativeMethods.rd_kafka_mock_request_destroy_array(array, count);
        }
    });

    // ---- lifetime -----------------------------------------------------------------------------

    /// <summary>Stops the brokers (closing their connections) and frees the cluster. Safe to call more than once.</summary>
    public void Dispose() => _handle.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"EmbeddedKafka({BootstrapServers})";

    private T Call<T>(Func<nint, T> action)
    {
        // The ref count keeps the cluster alive until the call returns, even if Dispose races it.
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException(nameof(EmbeddedKafka), $"The embedded cluster at {BootstrapServers} has been disposed.");
        }
        try
        {
            return action(_handle.Cluster);
        }
        finally
        {
            if (added)
                _handle.DangerousRelease();
        }
    }

    private static void Check(int err, string what)
    {
        if (err == 0)
            return;
        var name = Marshal.PtrToStringUTF8(NativeMethods.rd_kafka_err2name(err)) ?? err.ToString();
        var text = Marshal.PtrToStringUTF8(NativeMethods.rd_kafka_err2str(err)) ?? "";
        throw new EmbeddedKafkaException($"Mock cluster could not {what}: {name} ({err}): {text}", err, name);
    }

    private static void ThrowIfVarargsUnsupported()
    {
        if (OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
            throw new PlatformNotSupportedException("librdkafka's varargs mock functions cannot be called through P/Invoke on Apple arm64.");
    }
}
