using System.Runtime.InteropServices;

namespace KafkaActors.Testing.Native;

/// <summary>
/// P/Invoke declarations for the parts of rdkafka.h and rdkafka_mock.h we use.
/// Callers must run <see cref="LibRdKafka.EnsureLoaded"/> first so the resolver is in place.
/// </summary>
/// <remarks>
/// <c>rd_kafka_resp_err_t</c> is a C enum, i.e. a 32-bit int. Pointers to librdkafka objects are
/// plain <see cref="nint"/>: ownership lives in <see cref="MockClusterHandle"/>.
/// </remarks>
internal static partial class NativeMethods
{
    private const string Lib = LibRdKafka.LibraryName;

    internal const int RD_KAFKA_PRODUCER = 0;
    internal const int RD_KAFKA_CONF_OK = 0;

    // --- rdkafka.h ---------------------------------------------------------------------------

    [LibraryImport(Lib)]
    internal static partial nint rd_kafka_conf_new();

    [LibraryImport(Lib)]
    internal static partial void rd_kafka_conf_destroy(nint conf);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int rd_kafka_conf_set(nint conf, string name, string value, byte* errstr, nuint errstrSize);

    [LibraryImport(Lib)]
    internal static unsafe partial nint rd_kafka_new(int type, nint conf, byte* errstr, nuint errstrSize);

    [LibraryImport(Lib)]
    internal static partial void rd_kafka_destroy(nint rk);

    [LibraryImport(Lib)]
    internal static partial nint rd_kafka_err2name(int err);

    [LibraryImport(Lib)]
    internal static partial nint rd_kafka_err2str(int err);

    // --- rdkafka_mock.h: lifecycle ----------------------------------------------------------

    [LibraryImport(Lib)]
    internal static partial nint rd_kafka_mock_cluster_new(nint rk, int brokerCnt);

    [LibraryImport(Lib)]
    internal static partial void rd_kafka_mock_cluster_destroy(nint mcluster);

    [LibraryImport(Lib)]
    internal static partial nint rd_kafka_mock_cluster_bootstraps(nint mcluster);

    // --- topics and partitions ----------------------------------------------------------------

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_topic_create(nint mcluster, string topic, int partitionCnt, int replicationFactor);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_topic_delete(nint mcluster, string topic);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void rd_kafka_mock_topic_set_error(nint mcluster, string topic, int err);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_partition_delete_records(nint mcluster, string topic, int partition, long beforeOffset);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_partition_set_leader(nint mcluster, string topic, int partition, int brokerId);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_partition_set_follower(nint mcluster, string topic, int partition, int brokerId);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_partition_set_follower_wmarks(nint mcluster, string topic, int partition, long lo, long hi);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_partition_push_leader_response(nint mcluster, string topic, int partition, int leaderId, int leaderEpoch);

    // --- brokers ------------------------------------------------------------------------------

    [LibraryImport(Lib)]
    internal static partial int rd_kafka_mock_broker_set_down(nint mcluster, int brokerId);

    [LibraryImport(Lib)]
    internal static partial int rd_kafka_mock_broker_set_up(nint mcluster, int brokerId);

    [LibraryImport(Lib)]
    internal static partial int rd_kafka_mock_broker_set_rtt(nint mcluster, int brokerId, int rttMs);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_broker_set_rack(nint mcluster, int brokerId, string rack);

    /// <summary>Sets the host and port the broker advertises (Metadata, FindCoordinator, bootstraps) [2.10]; it keeps listening where it was.</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void rd_kafka_mock_broker_set_host_port(nint mcluster, int brokerId, string host, int port);

    [LibraryImport(Lib)]
    internal static partial int rd_kafka_mock_broker_decommission(nint mcluster, int brokerId);

    [LibraryImport(Lib)]
    internal static partial int rd_kafka_mock_broker_add(nint mcluster, int brokerId);

    [LibraryImport(Lib)]
    internal static partial int rd_kafka_mock_broker_remove_from_metadata(nint mcluster, int brokerId);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_coordinator_set(nint mcluster, string keyType, string key, int brokerId);

    [LibraryImport(Lib)]
    internal static partial void rd_kafka_mock_set_controller_id(nint mcluster, int controllerId);

    [LibraryImport(Lib)]
    internal static partial int rd_kafka_mock_set_apiversion(nint mcluster, short apiKey, short minVersion, short maxVersion);

    // --- error injection ----------------------------------------------------------------------

    [LibraryImport(Lib)]
    internal static partial void rd_kafka_mock_clear_request_errors(nint mcluster, short apiKey);

    [LibraryImport(Lib)]
    internal static partial void rd_kafka_mock_push_request_errors_array(nint mcluster, short apiKey, nuint cnt, int[] errors);

    [LibraryImport(Lib)]
    internal static unsafe partial int rd_kafka_mock_broker_error_stack_cnt(nint mcluster, int brokerId, short apiKey, nuint* cntp);

    // The next two are C varargs. P/Invoke cannot express "...", but on the SysV x64, Windows x64
    // and Linux arm64 ABIs the first variadic int arguments travel exactly like fixed ones, so a
    // fixed-arity declaration with cnt=1 is a faithful call. Apple arm64 passes varargs on the
    // stack: EmbeddedKafka refuses these calls there.

    /// <summary><c>rd_kafka_mock_broker_push_request_error_rtts(mc, id, ApiKey, 1, err, rtt_ms)</c>.</summary>
    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_broker_push_request_error_rtts")]
    internal static partial int rd_kafka_mock_broker_push_request_error_rtts_1(nint mcluster, int brokerId, short apiKey, nuint cnt, int err, int rttMs);

    /// <summary><c>rd_kafka_mock_partition_push_request_errors(mc, topic, partition, ApiKey, 1, err)</c>.</summary>
    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_partition_push_request_errors", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_partition_push_request_errors_1(nint mcluster, string topic, int partition, short apiKey, nuint cnt, int err);

    // --- request tracking ---------------------------------------------------------------------

    [LibraryImport(Lib)]
    internal static partial void rd_kafka_mock_start_request_tracking(nint mcluster);

    [LibraryImport(Lib)]
    internal static partial void rd_kafka_mock_stop_request_tracking(nint mcluster);

    [LibraryImport(Lib)]
    internal static partial void rd_kafka_mock_clear_requests(nint mcluster);

    [LibraryImport(Lib)]
    internal static unsafe partial nint* rd_kafka_mock_get_requests(nint mcluster, nuint* cntp);

    [LibraryImport(Lib)]
    internal static unsafe partial void rd_kafka_mock_request_destroy_array(nint* mreqs, nuint cnt);

    [LibraryImport(Lib)]
    internal static partial int rd_kafka_mock_request_id(nint mreq);

    [LibraryImport(Lib)]
    internal static partial short rd_kafka_mock_request_api_key(nint mreq);

    [LibraryImport(Lib)]
    internal static partial long rd_kafka_mock_request_timestamp(nint mreq);
}
