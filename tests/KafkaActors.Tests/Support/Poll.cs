using System.Diagnostics;
using Xunit.Sdk;

namespace KafkaActors.Tests.Support;

/// <summary>Waits for a condition by polling it against a deadline (never a bare sleep that races).</summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Returns as soon as <paramref name="condition"/> holds; fails with <paramref name="what"/> (and the last state) at the deadline.</summary>
    public static async Task Until(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) throw new XunitException($"Not true after {timeout.TotalSeconds:0.#} s: {what()}");
            await Task.Delay(Interval);
        }
    }

    public static Task Until(Func<bool> condition, TimeSpan timeout, string what) => Until(condition, timeout, () => what);
}
