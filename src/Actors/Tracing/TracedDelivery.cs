using System.Diagnostics;
using System.Text;
using KafkaActors.Protocol.Records;

namespace KafkaActors.Tracing;

/// <summary>
/// A traced record's completion: its span, the delivery it wraps (task, callback or actor reply; null for
/// fire-and-forget) and the headers it is written with once the context is injected. It rides in the
/// record's completion slot (so a batch stores no extra field per record), created only while someone
/// listens. Owned by the record's sender until appended, then by its batch; ends exactly once, in
/// <see cref="Accumulator.DeliveryCompletion"/>. Not thread-safe (each step happens-after the previous one).
/// </summary>
internal sealed class TracedDelivery(Activity activity, object? delivery)
{
    private RecordHeader[]? _headers;

    public Activity Activity { get; } = activity;

    /// <summary>The wrapped delivery, told after the span ends.</summary>
    public object? Delivery { get; } = delivery;

    /// <summary>The same span without its delivery (the sender gets the error thrown instead); this one is left as it is.</summary>
    public TracedDelivery Detached() => new(Activity, null);

    /// <summary>
    /// The record's headers with the span's context (W3C traceparent and tracestate, as
    /// DistributedContextPropagator.Current writes them) added after the user's: a header the user set
    /// already is kept and not written again. Built once; a record prepared again reuses it.
    /// </summary>
    public ReadOnlySpan<RecordHeader> HeadersWithContext(ReadOnlySpan<RecordHeader> userHeaders)
    {
        if (_headers is not null) return _headers;
        var headers = new List<RecordHeader>(userHeaders.Length + 2);
        headers.AddRange(userHeaders);
        var carrier = (Headers: headers, UserCount: userHeaders.Length);
        DistributedContextPropagator.Current.Inject(Activity, carrier, static (state, name, value) =>
        {
            if (state is not ValueTuple<List<RecordHeader>, int>(var list, var userCount) || value is null) return;
            for (var i = 0; i < userCount; i++)
                if (list[i].Key == name) return;
            list.Add(new RecordHeader(name, Encoding.UTF8.GetBytes(value)));
        });
        return _headers = headers.ToArray();
    }

    /// <summary>Ends the span with the record's outcome: its offset when acknowledged, error.type and an error status when not.</summary>
    public void End(in RecordMetadata metadata, Exception? exception)
    {
        var activity = Activity;
        if (activity.IsAllDataRequested)
        {
            if (metadata.Partition >= 0 && activity.GetTagItem(ProducerTracing.TagNames.PartitionId) is null)
                activity.SetTag(ProducerTracing.TagNames.PartitionId, ProducerTracing.PartitionId(metadata.Partition));
            if (exception is null)
            {
                if (metadata.Offset >= 0) activity.SetTag(ProducerTracing.TagNames.Offset, metadata.Offset);
            }
            else
            {
                activity.SetTag(ProducerTracing.TagNames.ErrorType, exception.GetType().FullName);
                activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            }
        }
        // Stop makes the span's parent current on this thread (a partition actor's, or the sender's): keep what was.
        var current = Activity.Current;
        activity.Stop();
        Activity.Current = current;
    }
}
