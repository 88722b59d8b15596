using KafkaActors.Protocol.Errors;

namespace KafkaActors.Testing.Secure.Idempotence;

/// <summary>
/// Sees the mock's answer to one forwarded Produce request: commits each forwarded batch's outcome to the producer state,
/// then merges the mock's partitions with the ones the front answered itself, in the request's order. Owned by the
/// connection's write loop, which calls it once; the partition list is copied out of the request frame at decision time.
/// </summary>
internal sealed class ProduceAnswerHandler : IForwardedResponseHandler
{
    private readonly IdempotenceEnforcement _enforcement;
    private readonly short _version;
    private readonly int _correlationId;
    private readonly (string Topic, int Partition)[] _partitions;
    private readonly ProduceResponseLayout.Answer?[] _local;
    private readonly InFlightAppend?[] _inFlight;
    private readonly bool _acksZero;
    private int _done;

    public ProduceAnswerHandler(IdempotenceEnforcement enforcement, ProduceRequestView request, int correlationId,
        ProduceResponseLayout.Answer?[] local, InFlightAppend?[] inFlight, bool acksZero)
    {
        _enforcement = enforcement;
        _version = request.Version;
        _correlationId = correlationId;
        _partitions = request.Partitions.Select(p => (p.Topic, p.Partition)).ToArray();
        _local = local;
        _inFlight = inFlight;
        _acksZero = acksZero;
    }

    public byte[]? OnResponse(ReadOnlySpan<byte> response)
    {
        if (Interlocked.Exchange(ref _done, 1) != 0) return null;
        ProduceResponseLayout.Parsed parsed;
        try
        {
            parsed = ProduceResponseLayout.Parse(response, _version);
        }
        catch (Exception e) when (e is KafkaActors.Protocol.KafkaProtocolException or ArgumentOutOfRangeException)
        {
            Lost();
            return _acksZero ? null : response.ToArray();
        }

        var byPartition = new Dictionary<(string, int), ProduceResponseEntry>();
        foreach (var entry in parsed.Entries) byPartition[(entry.Topic, entry.Partition)] = entry;
        var answers = new List<ProduceResponseLayout.Answer>(_partitions.Length);
        var allForwarded = true;
        for (var i = 0; i < _partitions.Length; i++)
        {
            var (topic, partition) = _partitions[i];
            if (_local[i] is { } local)
            {
                answers.Add(local);
                allForwarded = false;
                continue;
            }
            if (!byPartition.TryGetValue((topic, partition), out var fromBroker))
            {
                // Not answered: count it as lost (the log tells), and say so retriably.
                if (_inFlight[i] is { } missing) _enforcement.OnAnswerLost(topic, partition, missing);
                answers.Add(new ProduceResponseLayout.Answer(topic, partition, null, ErrorCode.UnknownServerError, ErrorMessage: "The broker did not answer this partition"));
                allForwarded = false;
                continue;
            }
            if (_inFlight[i] is { } append)
                _enforcement.OnAnswer(topic, partition, append, fromBroker.ErrorCode, fromBroker.BaseOffset, fromBroker.LogAppendTimeMs);
            answers.Add(new ProduceResponseLayout.Answer(topic, partition, fromBroker));
        }
        if (_acksZero) return null;
        return allForwarded && parsed.Entries.Count == _partitions.Length
            ? response.ToArray()
            : ProduceResponseLayout.Write(_version, _correlationId, answers, response, parsed);
    }

    public void OnResponseLost()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0) return;
        Lost();
    }

    private void Lost()
    {
        for (var i = 0; i < _partitions.Length; i++)
            if (_inFlight[i] is { } append) _enforcement.OnAnswerLost(_partitions[i].Topic, _partitions[i].Partition, append);
    }
}
