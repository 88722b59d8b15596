using KafkaActors.Errors;
using KafkaActors.Settings;

namespace KafkaActors.Interceptors;

/// <summary>Instances of the interceptor.classes setting (type names with a parameterless constructor).</summary>
internal static class InterceptorFactory
{
    public static IEnumerable<IProducerInterceptor<TKey, TValue>> Create<TKey, TValue>(ProducerSettings settings)
    {
        foreach (var name in settings.InterceptorClasses)
        {
            var type = Type.GetType(name, throwOnError: false)
                       ?? throw new ConfigException(ProducerConfig.InterceptorClasses, name, "no such type could be loaded.");
            if (Activator.CreateInstance(type) is not IProducerInterceptor<TKey, TValue> interceptor)
                throw new ConfigException(ProducerConfig.InterceptorClasses, name, $"does not implement IProducerInterceptor<{typeof(TKey).Name}, {typeof(TValue).Name}>.");
            yield return interceptor;
        }
    }
}
