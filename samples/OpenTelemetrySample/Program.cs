// KafkaActors with the OpenTelemetry SDK: the producer's spans (ActivitySource "KafkaActors") and metrics
// (Meter "KafkaActors") go to the console exporter. Records are sent under an application span, so each
// record's "send orders" span is its child; a consumer finds that trace in the records' traceparent
// headers, which the end of the run reads back. An embedded broker (librdkafka's mock cluster) is started
// in-process. Run: dotnet run --project samples/OpenTelemetrySample -c Release [-- records]

using System.Diagnostics;
using System.Globalization;
using System.Text;
using KafkaActors;
using KafkaActors.Metrics;
using KafkaActors.Settings;
using KafkaActors.Testing;
using KafkaActors.Tracing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

const string topic = "orders";
var records = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;

LibRdKafka.EnsureLoaded();
using var kafka = EmbeddedKafka.Start();
kafka.CreateTopic(topic, 3);

// The application's own spans, and the producer's, to one tracer provider.
using var app = new ActivitySource("OpenTelemetrySample");
using var tracerProvider = Sdk.CreateTracerProviderBuilder()
    .ConfigureResource(r => r.AddService("opentelemetry-sample"))
    .AddSource(app.Name, ProducerTracing.SourceName)
    .AddConsoleExporter()
    .Build();
// A few of the producer's metrics (the meter has Java's whole set), exported when flushed below.
string[] shown = ["record-send-total", "record-error-total", "request-total", "batch-size-avg", "request-latency-avg"];
using var meterProvider = Sdk.CreateMeterProviderBuilder()
    .ConfigureResource(r => r.AddService("opentelemetry-sample"))
    .AddMeter(ProducerMeter.Name)
    .AddView(instrument => shown.Contains(instrument.Name) ? null : MetricStreamConfiguration.Drop)
    .AddConsoleExporter()
    .Build();

string traceId;
await using (var producer = new KafkaProducer<string, string>(ProducerSettings.FromProperties(new Dictionary<string, string>
{
    ["bootstrap.servers"] = kafka.BootstrapServers,
    ["client.id"] = "opentelemetry-sample",
    ["linger.ms"] = "5",
})))
{
    using (var placeOrders = app.StartActivity("place orders"))
    {
        traceId = placeOrders!.TraceId.ToHexString();
        var sends = Enumerable.Range(0, records)
            .Select(i => producer.SendAsync(new ProducerRecord<string, string>(topic, $"customer-{i % 3}", $"order {i}")))
            .ToList();
        foreach (var metadata in await Task.WhenAll(sends))
            Console.WriteLine($"sent {metadata}");
    }
    // While the producer is open: its metrics are observed per live producer.
    meterProvider.ForceFlush();
}
tracerProvider.ForceFlush();

// What a consumer sees: each record's traceparent is a span of the "place orders" trace.
var read = KafkaReader.ReadAll(kafka.BootstrapServers, topic, TimeSpan.FromSeconds(30));
var inTrace = read.Count(r => r.Headers.Any(h => h.Key == "traceparent"
    && ActivityContext.TryParse(Encoding.UTF8.GetString(h.Value ?? []), null, out var context)
    && context.TraceId.ToHexString() == traceId));
var ok = read.Count == records && inTrace == records;
Console.WriteLine();
Console.WriteLine("=== OpenTelemetrySample summary ===");
Console.WriteLine($"trace     : {traceId}");
Console.WriteLine($"read back : {read.Count} records, {inTrace} with a traceparent in that trace; {(ok ? "OK" : "MISMATCH")}");
return ok ? 0 : 1;
