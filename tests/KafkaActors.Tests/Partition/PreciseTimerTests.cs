using System.Diagnostics;
using KafkaActors.Internal;
using KafkaActors.Partition;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Partition;

/// <summary>
/// The linger timers' thread (PreciseScheduler): a timer never fires before its due time, also when the last stretch
/// is under a millisecond (slept by PreciseSleep, not waited by Monitor.Wait), and a timer scheduled for sooner than
/// the one being waited for fires first.
/// </summary>
public sealed class PreciseTimerTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output)
{
    [Theory]
    [InlineData(0.3)]
    [InlineData(0.9)]
    [InlineData(2.5)]
    public void A_timer_fires_once_and_not_before_it_is_due(double dueMs)
    {
        for (var i = 0; i < 20; i++)
        {
            using var timer = new PreciseTimer(TestActor, i);
            var scheduled = Stopwatch.GetTimestamp();
            timer.Schedule(TimeSpan.FromMilliseconds(dueMs));
            ExpectMsg(i, TimeSpan.FromSeconds(5));
            Assert.True(Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds >= dueMs, $"fired before its {dueMs} ms");
        }
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void A_sooner_timer_scheduled_during_a_long_wait_fires_first()
    {
        using var late = new PreciseTimer(TestActor, "late");
        using var soon = new PreciseTimer(TestActor, "soon");
        late.Schedule(TimeSpan.FromMilliseconds(1500));
        Thread.Sleep(20); // the scheduler thread is now in its Monitor.Wait for the late one
        soon.Schedule(TimeSpan.FromMilliseconds(3));
        ExpectMsg("soon", TimeSpan.FromSeconds(1));
        ExpectMsg("late", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Rescheduling_supersedes_the_earlier_due_time_and_a_disposed_timer_stays_silent()
    {
        using var timer = new PreciseTimer(TestActor, "moved");
        timer.Schedule(TimeSpan.FromMilliseconds(0.5));
        timer.Schedule(TimeSpan.FromMilliseconds(30));
        ExpectMsg("moved", TimeSpan.FromSeconds(5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        var disposed = new PreciseTimer(TestActor, "disposed");
        disposed.Schedule(TimeSpan.FromMilliseconds(0.5));
        disposed.Dispose();
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void On_unix_a_sub_millisecond_sleep_sleeps_rather_than_returning_at_once()
    {
        if (OperatingSystem.IsWindows()) return; // there it yields once and the caller re-checks (documented)
        var ticks = Stopwatch.Frequency / 2000; // 0.5 ms
        for (var i = 0; i < 20; i++)
        {
            var start = Stopwatch.GetTimestamp();
            PreciseSleep.For(ticks);
            Assert.True(Stopwatch.GetTimestamp() - start >= ticks, "PreciseSleep returned before 0.5 ms: no nanosleep?");
        }
    }
}
