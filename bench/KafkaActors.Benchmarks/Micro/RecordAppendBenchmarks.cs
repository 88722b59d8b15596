using BenchmarkDotNet.Attributes;
using KafkaActors.Protocol.Records;

namespace KafkaActors.Benchmarks.Micro;

/// <summary>Appending one 100-byte record (null key, no headers) to a RecordBatch v2 in a pooled buffer.</summary>
[MemoryDiagnoser]
public class RecordAppendBenchmarks
{
    private readonly RecordBatchBuilder _builder = new();
    private readonly byte[] _buffer = new byte[1 << 20];
    private readonly byte[] _value = new byte[100];
    private readonly byte[] _key = new byte[16];

    [GlobalSetup]
    public void Setup() => _builder.Reset(_buffer, _buffer.Length);

    [Benchmark]
    public bool AppendValue()
    {
        if (_builder.TryAppend(1_700_000_000_000, default, -1, _value, _value.Length, default)) return true;
        _builder.Reset(_buffer, _buffer.Length);
        return false;
    }

    [Benchmark]
    public bool AppendKeyAndValue()
    {
        if (_builder.TryAppend(1_700_000_000_000, _key, _key.Length, _value, _value.Length, default)) return true;
        _builder.Reset(_buffer, _buffer.Length);
        return false;
    }
}
