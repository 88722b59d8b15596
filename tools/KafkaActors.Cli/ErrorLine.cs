using KafkaActors.Errors;

namespace KafkaActors.Cli;

/// <summary>
/// How the tools print an error that ends a run: one line, <c>Error: &lt;exception type&gt;: &lt;message&gt;</c>.
/// The producer's exception messages never hold secrets, so they are printed as they are.
/// </summary>
internal static class ErrorLine
{
    public static string For(Exception exception) => $"Error: {exception.GetType().Name}: {exception.Message}";

    /// <summary>
    /// An authentication or TLS failure fails every later record the same way and is not retried: the tools
    /// stop sending at the first one and report it once instead of once per record.
    /// </summary>
    public static bool EndsTheRun(Exception exception) => exception is AuthenticationException;
}
