using System.Collections.Concurrent;
using System.Text;

namespace KafkaActors.FaultTests.Support;

/// <summary>
/// Sends keyed records whose values carry a per-key sequence number ("key|seq"), recording every
/// outcome exactly as the producer reports it. Thread-safe: outcomes arrive on partition actors.
/// </summary>
public sealed class KeyedStream(KafkaProducer<string, string> producer, string topic, int keys)
{
    private readonly int[] _nextSequence = new int[keys];
    private readonly ConcurrentDictionary<(string Key, int Seq), Outcome> _outcomes = new();
    private int _sent;
    private int _completed;
    private int _duplicateCallbacks;

    public sealed record Outcome(RecordMetadata Metadata, Exception? Error);

    public int Sent => Volatile.Read(ref _sent);
    public int Completed => Volatile.Read(ref _completed);

    /// <summary>Callbacks that came a second time for the same record (must stay 0).</summary>
    public int DuplicateCallbacks => Volatile.Read(ref _duplicateCallbacks);

    public IReadOnlyDictionary<(string Key, int Seq), Outcome> Outcomes => _outcomes;

    /// <summary>Sends <paramref name="count"/> records round-robin over the keys.</summary>
    public void Send(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var k = _sent % _nextSequence.Length;
            var key = $"key-{k:D2}";
            var seq = _nextSequence[k]++;
            Interlocked.Increment(ref _sent);
            producer.Send(new ProducerRecord<string, string>(topic, key, $"{key}|{seq}"), (metadata, error) =>
            {
                if (!_outcomes.TryAdd((key, seq), new Outcome(metadata, error))) Interlocked.Increment(ref _duplicateCallbacks);
                Interlocked.Increment(ref _completed);
            });
        }
    }

    /// <summary>Sends in a loop for <paramref name="duration"/>, a small slice at a time, so faults land mid-stream.</summary>
    public async Task SendFor(TimeSpan duration, int perSlice = 50)
    {
        var until = DateTime.UtcNow + duration;
        while (DateTime.UtcNow < until)
        {
            Send(perSlice);
            await Task.Delay(5);
        }
    }

    /// <summary>Waits until every sent record has an outcome; fails the test if one hangs.</summary>
    public async Task WaitForAll(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (Completed < Sent)
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"{Sent - Completed} of {Sent} records got no outcome within {timeout}.");
            await Task.Delay(20);
        }
    }

    public static (string Key, int Seq) Parse(byte[] value)
    {
        var text = Encoding.UTF8.GetString(value);
        var bar = text.IndexOf('|');
        return (text[..bar], int.Parse(text[(bar + 1)..]));
    }
}
