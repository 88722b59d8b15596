using System.Diagnostics;
using System.Runtime.InteropServices;

namespace KafkaActors.Internal;

/// <summary>
/// Sleeps for less than a millisecond without spinning: the last stretch before a linger timer's due time (see
/// Partition.PreciseScheduler). .NET's waits (Monitor.Wait, Thread.Sleep, wait handles) count whole milliseconds and
/// truncate a TimeSpan, so a wait of 0.4 ms returns at once and a loop around it spins on a core until the due time;
/// at 10,000 records/s over 8 partitions that was most of the producer's CPU. On Unix, nanosleep(2) sleeps the exact
/// remainder (plus the kernel's timer slack, 50 µs by default). Where it is missing (Windows) the thread yields its
/// core once and the caller checks the time again, which still spins, but politely. Thread-safe (stateless).
/// </summary>
internal static partial class PreciseSleep
{
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;
    private static volatile bool _nanosleepMissing = !OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD();

    /// <summary>
    /// Sleeps <paramref name="stopwatchTicks"/> (meant for less than a millisecond). Without nanosleep it returns
    /// early, after one yield: callers check their due time again.
    /// </summary>
    public static void For(long stopwatchTicks)
    {
        if (stopwatchTicks <= 0) return;
        if (!_nanosleepMissing)
        {
            try
            {
                var deadline = Stopwatch.GetTimestamp() + stopwatchTicks;
                // nanosleep returns early (-1, EINTR) when a signal arrives, e.g. the runtime's to suspend threads for
                // a GC: sleep the rest. Any other failure (EINVAL, impossible here) leaves after a few tries.
                for (var attempt = 0; attempt < 4; attempt++)
                {
                    var nanoseconds = (long)((deadline - Stopwatch.GetTimestamp()) * NanosecondsPerTick);
                    if (nanoseconds <= 0) return;
                    var request = new TimeSpec { Seconds = (nint)(nanoseconds / 1_000_000_000), Nanoseconds = (nint)(nanoseconds % 1_000_000_000) };
                    if (NanoSleep(in request, IntPtr.Zero) == 0) return;
                }
                return;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _nanosleepMissing = true;
            }
        }
        Thread.Yield();
    }

    /// <summary>struct timespec: time_t and long, both the width of a pointer on the platforms that have nanosleep here.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(in TimeSpec request, IntPtr remaining);
}
