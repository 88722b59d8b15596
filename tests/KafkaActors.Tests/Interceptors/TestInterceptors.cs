using System.Collections.Concurrent;
using KafkaActors.Interceptors;

namespace KafkaActors.Tests.Interceptors;

/// <summary>Appends a suffix to the value and adds a header naming itself; records everything it sees.</summary>
public class RecordingInterceptor(string name) : IProducerInterceptor<string?, string?>
{
    private int _disposed;

    public string Name { get; } = name;
    public ConcurrentQueue<ProducerRecord<string?, string?>> Sent { get; } = new();
    public ConcurrentQueue<(RecordMetadata Metadata, Exception? Error)> Acks { get; } = new();
    public int DisposeCount => Volatile.Read(ref _disposed);

    public virtual ProducerRecord<string?, string?> OnSend(ProducerRecord<string?, string?> record)
    {
        Sent.Enqueue(record);
        var headers = new Headers();
        foreach (var header in record.Headers ?? new Headers()) headers.Add(header.Key, header.Value);
        headers.Add("intercepted-by", Name);
        return new ProducerRecord<string?, string?>(record.Topic, record.Partition, record.Timestamp, record.Key, $"{record.Value}|{Name}", headers);
    }

    public virtual void OnAcknowledgement(RecordMetadata metadata, Exception? exception) => Acks.Enqueue((metadata, exception));

    public virtual void Dispose() => Interlocked.Increment(ref _disposed);
}

/// <summary>Passes records through unchanged; records every acknowledgement.</summary>
public sealed class CountingInterceptor : IProducerInterceptor<string?, string?>
{
    private int _disposed;

    public ConcurrentQueue<ProducerRecord<string?, string?>> Sent { get; } = new();
    public ConcurrentQueue<(RecordMetadata Metadata, Exception? Error)> Acks { get; } = new();
    public int DisposeCount => Volatile.Read(ref _disposed);

    /// <summary>How many acknowledgements had come in when Dispose was (first) called.</summary>
    public int AcksWhenDisposed { get; private set; } = -1;

    public ProducerRecord<string?, string?> OnSend(ProducerRecord<string?, string?> record)
    {
        Sent.Enqueue(record);
        return record;
    }

    public void OnAcknowledgement(RecordMetadata metadata, Exception? exception) => Acks.Enqueue((metadata, exception));

    public void Dispose()
    {
        if (Interlocked.Increment(ref _disposed) == 1) AcksWhenDisposed = Acks.Count;
    }
}

/// <summary>Throws from every method (after counting the call).</summary>
public sealed class ThrowingInterceptor : IProducerInterceptor<string?, string?>
{
    public int Sends;
    public int Acks;
    public int Disposes;

    public ProducerRecord<string?, string?> OnSend(ProducerRecord<string?, string?> record)
    {
        Interlocked.Increment(ref Sends);
        throw new InvalidOperationException("OnSend fails");
    }

    public void OnAcknowledgement(RecordMetadata metadata, Exception? exception)
    {
        Interlocked.Increment(ref Acks);
        throw new InvalidOperationException("OnAcknowledgement fails");
    }

    public void Dispose()
    {
        Interlocked.Increment(ref Disposes);
        throw new InvalidOperationException("Dispose fails");
    }
}

/// <summary>
/// For interceptor.classes: public, parameterless. Every instance made is listed in <see cref="Created"/>
/// (only <see cref="InterceptorTests"/> makes them, one test at a time).
/// </summary>
public sealed class ConfiguredInterceptor : RecordingInterceptor
{
    public static readonly ConcurrentQueue<ConfiguredInterceptor> Created = new();

    public ConfiguredInterceptor() : base("configured") => Created.Enqueue(this);
}

/// <summary>Public and parameterless, but for other key/value types.</summary>
public sealed class BytesInterceptor : IProducerInterceptor<byte[]?, byte[]?>
{
    public ProducerRecord<byte[]?, byte[]?> OnSend(ProducerRecord<byte[]?, byte[]?> record) => record;
    public void OnAcknowledgement(RecordMetadata metadata, Exception? exception) { }
    public void Dispose() { }
}
