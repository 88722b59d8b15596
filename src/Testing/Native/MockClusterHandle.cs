using System.Runtime.InteropServices;

namespace KafkaActors.Testing.Native;

/// <summary>
/// Owns one mock cluster and the rd_kafka_t it needs for book keeping. A SafeHandle so that a
/// finalizer still frees both, and so that a call racing Dispose holds a reference instead of
/// touching a freed cluster.
/// </summary>
internal sealed class MockClusterHandle : SafeHandle
{
    // Set once, before the handle becomes visible; freed in ReleaseHandle.
    private nint _cluster;

    private MockClusterHandle() : base(0, ownsHandle: true) { }

    public override bool IsInvalid => handle == 0;

    /// <summary>The rd_kafka_mock_cluster_t*; only valid between DangerousAddRef and DangerousRelease.</summary>
    public nint Cluster => _cluster;

    public static unsafe MockClusterHandle Create(int brokers, IReadOnlyDictionary<string, string> config)
    {
        LibRdKafka.EnsureLoaded();
        var errstr = stackalloc byte[512];
        var conf = NativeMethods.rd_kafka_conf_new();
        foreach (var (name, value) in config)
        {
            if (NativeMethods.rd_kafka_conf_set(conf, name, value, errstr, 512) != NativeMethods.RD_KAFKA_CONF_OK)
            {
                NativeMethods.rd_kafka_conf_destroy(conf);
                throw new ArgumentException($"librdkafka rejected {name}={value}: {Marshal.PtrToStringUTF8((nint)errstr)}");
            }
        }

        var result = new MockClusterHandle();
        // rd_kafka_new takes ownership of conf only on success.
        var rk = NativeMethods.rd_kafka_new(NativeMethods.RD_KAFKA_PRODUCER, conf, errstr, 512);
        if (rk == 0)
        {
            NativeMethods.rd_kafka_conf_destroy(conf);
            throw new EmbeddedKafkaException($"rd_kafka_new failed: {Marshal.PtrToStringUTF8((nint)errstr)}");
        }
        result.SetHandle(rk);

        var cluster = NativeMethods.rd_kafka_mock_cluster_new(rk, brokers);
        if (cluster == 0)
        {
            result.Dispose();
            throw new EmbeddedKafkaException($"rd_kafka_mock_cluster_new({brokers}) failed (see librdkafka's log on stderr)");
        }
        result._cluster = cluster;
        return result;
    }

    protected override bool ReleaseHandle()
    {
        // The cluster uses rk internally, so it goes first.
        if (_cluster != 0)
        {
            NativeMethods.rd_kafka_mock_cluster_destroy(_cluster);
            _cluster = 0;
        }
        NativeMethods.rd_kafka_destroy(handle);
        return true;
    }
}
