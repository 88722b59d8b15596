using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using KafkaActors.Network;
using KafkaActors.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaActors.Hosting;

/// <summary>
/// Runs <see cref="KafkaProducer{TKey,TValue}"/>s inside an Akka.Hosting ActorSystem:
/// <code>
/// services.AddAkka("orders-app", akka => akka
///         .WithKafkaProducer&lt;OrdersProducer, string, string&gt;("orders", o =&gt;
///         {
///             o.BootstrapServers = "localhost:9092";
///             o.LingerMs = 10;
///         }))
///     .AddKafkaProducerRegistry();
/// // then inject IRequiredActor&lt;OrdersProducer&gt; (Tell Produce&lt;string,string&gt;)
/// // or IKafkaProducerRegistry (registry.Get&lt;string,string&gt;("orders") for SendAsync and streams).
/// </code>
/// Each producer's settings are layered, highest first: the options given here; the
/// <c>IConfiguration</c> section <c>Kafka:Producers:&lt;name&gt;</c> (Java names as keys, e.g.
/// <c>"linger.ms": "10"</c>; see <see cref="KafkaProducerOptions.ConfigurationSectionPath"/>); the
/// ActorSystem's HOCON <c>akka.kafka.producers.&lt;name&gt; { … }</c>, then <c>akka.kafka.producer { … }</c>;
/// and hocon/reference.conf, which is appended to the ActorSystem's config as its fallback. The options
/// set here are also prepended as HOCON at <c>akka.kafka.producers.&lt;name&gt;</c>; the producer's
/// <see cref="KafkaProducer{TKey,TValue}.Settings"/> (or <see cref="IKafkaProducerRegistry.GetSettings"/>)
/// is what it actually runs with.
/// </summary>
/// <remarks>
/// The producer is created in <c>WithActors</c>, so invalid settings fail the host's start with the
/// <see cref="Errors.ConfigException"/> that names the key. It closes in CoordinatedShutdown's
/// service-stop phase, so stopping the host sends what is still buffered (within that phase's timeout).
/// With <see cref="KafkaProducerOptions.TransactionalId"/> (or <c>transactional.id</c> in another layer) the producer is
/// transactional: call InitTransactions on the facade, or Tell <c>InitTransactions</c> to the actor, before the first
/// transaction, and commit or abort it before the host stops.
/// <see cref="Network.ProducerTcpConfig.Hocon"/> (TCP frames of up to 2 MiB, so a request is one socket send) is appended
/// too, as a fallback: the system's own <c>akka.io.tcp</c> settings win. Nothing else in its config is changed.
/// </remarks>
public static class KafkaProducerHostingExtensions
{
    /// <summary>HOCON path of the settings shared by every producer (reference.conf's block).</summary>
    public const string DefaultPath = ReferenceConfig.ProducerPath;

    /// <summary>HOCON path under which each named producer's own settings live.</summary>
    public const string ProducersPath = "akka.kafka.producers";

    /// <summary>Parent of the default <c>IConfiguration</c> section of each named producer.</summary>
    public const string ConfigurationSection = "Kafka:Producers";

    private static readonly ConditionalWeakTable<AkkaConfigurationBuilder, HashSet<string>> Registered = new();

    /// <summary>HOCON path of a named producer's settings: <c>akka.kafka.producers.&lt;name&gt;</c>.</summary>
    public static string NamedPath(string name)
    {
        CheckName(name);
        return ProducersPath + "." + name;
    }

    /// <summary>Starts a producer named <paramref name="name"/> with Kafka's defaults and the given bootstrap servers (other layers still apply).</summary>
    public static AkkaConfigurationBuilder WithKafkaProducer<TKey, TValue>(this AkkaConfigurationBuilder builder, string name, string bootstrapServers) =>
        builder.WithKafkaProducer<TKey, TValue>(name, options => options.BootstrapServers = bootstrapServers);

    /// <summary>Starts a producer named <paramref name="name"/> with the options <paramref name="configure"/> sets.</summary>
    public static AkkaConfigurationBuilder WithKafkaProducer<TKey, TValue>(this AkkaConfigurationBuilder builder, string name, Action<KafkaProducerOptions<TKey, TValue>> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new KafkaProducerOptions<TKey, TValue>();
        configure(options);
        return builder.WithKafkaProducer(name, options);
    }

    /// <summary>
    /// Starts a producer named <paramref name="name"/> when the ActorSystem starts, and lists it in the
    /// system's <see cref="IKafkaProducerRegistry"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not letters, digits, '-' and '_', or is taken in this builder.</exception>
    public static AkkaConfigurationBuilder WithKafkaProducer<TKey, TValue>(this AkkaConfigurationBuilder builder, string name, KafkaProducerOptions<TKey, TValue> options) =>
        AddProducer(builder, name, options, registerMarker: null);

    /// <summary>As <see cref="WithKafkaProducer{TKey,TValue}(AkkaConfigurationBuilder,string,string)"/>, and registers the actor as <c>IRequiredActor&lt;TMarker&gt;</c>.</summary>
    public static AkkaConfigurationBuilder WithKafkaProducer<TMarker, TKey, TValue>(this AkkaConfigurationBuilder builder, string name, string bootstrapServers) =>
        builder.WithKafkaProducer<TMarker, TKey, TValue>(name, options => options.BootstrapServers = bootstrapServers);

    /// <summary>As <see cref="WithKafkaProducer{TKey,TValue}(AkkaConfigurationBuilder,string,Action{KafkaProducerOptions{TKey,TValue}})"/>, and registers the actor as <c>IRequiredActor&lt;TMarker&gt;</c>.</summary>
    public static AkkaConfigurationBuilder WithKafkaProducer<TMarker, TKey, TValue>(this AkkaConfigurationBuilder builder, string name, Action<KafkaProducerOptions<TKey, TValue>> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new KafkaProducerOptions<TKey, TValue>();
        configure(options);
        return builder.WithKafkaProducer<TMarker, TKey, TValue>(name, options);
    }

    /// <summary>
    /// As <see cref="WithKafkaProducer{TKey,TValue}(AkkaConfigurationBuilder,string,KafkaProducerOptions{TKey,TValue})"/>,
    /// and registers the producer actor in the <see cref="ActorRegistry"/> under <typeparamref name="TMarker"/>,
    /// so that <c>IRequiredActor&lt;TMarker&gt;</c> can be injected.
    /// </summary>
    public static AkkaConfigurationBuilder WithKafkaProducer<TMarker, TKey, TValue>(this AkkaConfigurationBuilder builder, string name, KafkaProducerOptions<TKey, TValue> options) =>
        AddProducer(builder, name, options, registerMarker: (registry, actor) => registry.Register<TMarker>(actor));

    /// <summary>
    /// Makes <see cref="IKafkaProducerRegistry"/> injectable (a singleton: the ActorSystem's
    /// <see cref="KafkaProducerRegistry"/>). Chain it after <c>AddAkka</c>; calling it twice is harmless.
    /// </summary>
    public static IServiceCollection AddKafkaProducerRegistry(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IKafkaProducerRegistry>(sp => KafkaProducerRegistry.For(sp.GetRequiredService<ActorSystem>()));
        return services;
    }

    private static AkkaConfigurationBuilder AddProducer<TKey, TValue>(
        AkkaConfigurationBuilder builder, string name, KafkaProducerOptions<TKey, TValue> options, Action<IActorRegistry, IActorRef>? registerMarker)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        CheckName(name);
        var names = Registered.GetOrCreateValue(builder);
        lock (names)
        {
            if (!names.Add(name)) throw new ArgumentException($"A Kafka producer named '{name}' is already configured.", nameof(name));
            // reference.conf under everything, once: users see the defaults in the system's config, and
            // SettingsLayers tells them apart from what users set.
            if (names.Count == 1)
            {
                builder.AddHocon(ReferenceConfig.Config, HoconAddMode.Append);
                // Appended, so the system's own akka.io.tcp settings win; otherwise Akka's 4 KiB frames cost a send per 4 KiB.
                builder.AddHocon(ProducerTcpConfig.Config, HoconAddMode.Append);
            }
        }

        // Copy everything now: the options object may be changed or reused after this call.
        var code = options.ToProperties();
        // Secrets stay out of the system's HOCON, which akka.log-config-on-start would print; they reach the
        // settings through `code` only.
        var visible = code.Where(p => !ProducerConfig.IsSecret(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (visible.Count > 0) builder.AddHocon(HoconText.ToConfig(NamedPath(name), visible), HoconAddMode.Prepend);
        var tokenProvider = options.OAuthBearerTokenProvider;
        var keySerializer = options.KeySerializer;
        var valueSerializer = options.ValueSerializer;
        var partitioner = options.Partitioner;
        var interceptors = options.Interceptors.ToArray();
        var sectionPath = options.ConfigurationSectionPath ?? ConfigurationSection + ConfigurationPath.KeyDelimiter + name;

        return builder.WithActors((system, registry, resolver) =>
        {
            var section = sectionPath.Length == 0 ? null : FindConfiguration(resolver)?.GetSection(sectionPath);
            var settings = SettingsLayers.Resolve(name, system.Settings.Config, section, code, tokenProvider);
            var producer = new KafkaProducer<TKey, TValue>(settings, keySerializer, valueSerializer, system, partitioner, interceptors);
            KafkaProducerRegistry.For(system).Add(name, producer);
            registerMarker?.Invoke(registry, producer.Actor);
        });
    }

    /// <summary>The app's IConfiguration, if the container has one (a bare ServiceCollection may not).</summary>
    private static IConfiguration? FindConfiguration(IDependencyResolver resolver)
    {
        try
        {
            return resolver.GetService(typeof(IConfiguration)) as IConfiguration;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // The name is a HOCON path segment and an IConfiguration key: keep it to characters both take plainly.
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"Invalid Kafka producer name '{name}': use letters, digits, '-' and '_'.", nameof(name));
    }
}
