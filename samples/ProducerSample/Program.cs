// A producer embedded in an application's ActorSystem with Akka.Hosting, fed two ways: an actor that
// Tells records (with the Tell protocol's acknowledgements and back-pressure), and an Akka.Streams
// pipeline through KafkaFlow. Without --bootstrap-servers / KAFKA_BOOTSTRAP_SERVERS it starts an
// embedded broker. Run: dotnet run --project samples/ProducerSample -c Release

using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using KafkaActors;
using KafkaActors.Hosting;
using KafkaActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProducerSample;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders().AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
});
var settings = SampleSettings.From(builder.Configuration);

// No cluster given: an in-process one (librdkafka's mock cluster), with the topic created up front.
using var embedded = settings.BootstrapServers is null ? StartEmbeddedKafka(settings.Topic) : null;
var bootstrap = settings.BootstrapServers ?? embedded!.BootstrapServers;

builder.Services.AddSingleton(settings).AddSingleton<GeneratorResult>();
builder.Services
    .AddAkka("producer-sample", akka => akka
        .ConfigureLoggers(loggers =>
        {
            loggers.LogLevel = Akka.Event.LogLevel.InfoLevel;
            loggers.ClearLoggers();
            loggers.AddLoggerFactory();
        })
        // Settings layer up: these options, then appsettings.json's Kafka:Producers:orders (linger.ms,
        // compression.type, tell thresholds), then HOCON akka.kafka.producer, then reference.conf.
        .WithKafkaProducer<OrdersProducer, string, string>("orders", o =>
        {
            o.BootstrapServers = bootstrap;
            o.ClientId = "producer-sample";
        })
        .WithActors((system, registry, resolver) =>
        {
            // Started after the producer (WithActors run in order); DI hands it IRequiredActor<OrdersProducer>.
            registry.Register<OrderGenerator>(system.ActorOf(resolver.Props<OrderGenerator>(), "order-generator"));
        }))
    .AddKafkaProducerRegistry();

using var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ProducerSample");
var clock = Stopwatch.StartNew();
await host.StartAsync();

var producer = host.Services.GetRequiredService<IKafkaProducerRegistry>().Get<string, string>("orders");
logger.LogInformation("producer {ClientId} on {Bootstrap}: acks={Acks}, linger.ms={Linger}, compression={Compression}, tell thresholds {Full}/{Ready}; topic {Topic}, up to {Records} records or {Seconds} s per path",
    producer.ClientId, bootstrap, producer.Settings.Acks, producer.Settings.LingerMs, producer.Settings.CompressionType,
    producer.Settings.TellBufferFullThreshold, producer.Settings.TellReadyThreshold,
    settings.Topic, settings.Records, settings.Duration.TotalSeconds);

var stream = OrderStream.RunAsync(producer, settings, host.Services.GetRequiredService<ActorSystem>(), logger);
var actor = host.Services.GetRequiredService<GeneratorResult>().Done;
var finished = true;
try
{
    // Records still waiting when the time is up get delivery.timeout.ms at most; don't wait that long here.
    await Task.WhenAll(stream, actor).WaitAsync(settings.Duration + TimeSpan.FromSeconds(30));
}
catch (Exception e)
{
    finished = false;
    logger.LogError(e, "The run did not finish cleanly");
}

// Stopping the host runs CoordinatedShutdown, which closes the producer: whatever is buffered is sent first.
await host.StopAsync();
var runTime = clock.Elapsed;

var mine = KafkaReader.ReadAll(bootstrap, settings.Topic, TimeSpan.FromSeconds(30))
    .Select(r => Encoding.UTF8.GetString(r.Value ?? []))
    .Where(v => v.Contains($"\"run\":\"{settings.RunId}\"", StringComparison.Ordinal))
    .ToList();
var readActor = mine.Count(v => v.Contains("\"source\":\"actor\"", StringComparison.Ordinal));
var readStream = mine.Count - readActor;

var a = actor.IsCompletedSuccessfully ? actor.Result : host.Services.GetRequiredService<GeneratorResult>();
var s = stream.IsCompletedSuccessfully ? stream.Result : null;
var ok = finished && a.Failed == 0 && s is not null && readActor == a.Delivered && readStream == s.Produced;

Console.WriteLine();
Console.WriteLine("=== ProducerSample summary ===");
Console.WriteLine($"cluster   : {bootstrap} ({(embedded is null ? "external" : "embedded")}), topic {settings.Topic}, run {settings.RunId}");
Console.WriteLine($"actor     : told {a.Told}, delivered {a.Delivered}, failed {a.Failed}, BufferFull {a.BufferFull}, Ready {a.Ready}, in {a.Elapsed.TotalSeconds:F2} s");
Console.WriteLine(s is null
    ? "stream    : did not complete"
    : $"stream    : produced {s.Produced} in {s.Elapsed.TotalSeconds:F2} s; last offsets {string.Join(", ", s.LastOffsets.OrderBy(p => p.Key).Select(p => $"p{p.Key}@{p.Value}"))}");
Console.WriteLine($"read back : {mine.Count} records of this run (actor {readActor}, stream {readStream}) with KafkaReader");
Console.WriteLine($"total     : {runTime.TotalSeconds:F2} s; {(ok ? "OK" : "MISMATCH")}");
return ok ? 0 : 1;

static EmbeddedKafka StartEmbeddedKafka(string topic)
{
    LibRdKafka.EnsureLoaded();
    var kafka = EmbeddedKafka.Start();
    kafka.CreateTopic(topic, SampleSettings.Partitions);
    return kafka;
}
