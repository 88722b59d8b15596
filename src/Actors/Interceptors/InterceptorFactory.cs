using System.Diagnostics.CodeAnalysis;
using KafkaActors.Errors;
using KafkaActors.Settings;

namespace KafkaActors.Interceptors;

/// <summary>
/// Instances of the interceptor.classes setting (type names with a parameterless constructor). Stateless.
/// Loading by name is the reflective path; the typed alternative is interceptor instances given to the
/// KafkaProducer constructor (or KafkaProducerOptions.Interceptors), which run after these.
/// </summary>
internal static class InterceptorFactory
{
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification =
        "Types are loaded only when interceptor.classes is set. A trimmed app that sets it must keep the types (README, "
        + "'Trimming and AOT') or pass instances; a type the trimmer removed fails construction with a ConfigException naming the key.")]
    public static IEnumerable<IProducerInterceptor<TKey, TValue>> Create<TKey, TValue>(ProducerSettings settings) =>
        settings.InterceptorClasses.Count == 0 ? [] : LoadByName<TKey, TValue>(settings.InterceptorClasses);

    [RequiresUnreferencedCode("interceptor.classes loads types by name, which trimming may have removed: pass interceptor instances instead.")]
    private static IEnumerable<IProducerInterceptor<TKey, TValue>> LoadByName<TKey, TValue>(IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            var type = Type.GetType(name, throwOnError: false)
                       ?? throw new ConfigException(ProducerConfig.InterceptorClasses, name, "no such type could be loaded.");
            object? instance;
            try
            {
                instance = Activator.CreateInstance(type);
            }
            catch (Exception e)
            {
                throw new ConfigException(ProducerConfig.InterceptorClasses, name, $"could not be created: {e.Message}");
            }
            if (instance is not IProducerInterceptor<TKey, TValue> interceptor)
                throw new ConfigException(ProducerConfig.InterceptorClasses, name, $"does not implement IProducerInterceptor<{typeof(TKey).Name}, {typeof(TValue).Name}>.");
            yield return interceptor;
        }
    }
}
