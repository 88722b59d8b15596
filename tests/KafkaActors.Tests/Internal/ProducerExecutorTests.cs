using Akka.Actor;
using Akka.Dispatch;
using KafkaActors.Internal;
using KafkaActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KafkaActors.Tests.Internal;

/// <summary>
/// The producer dispatcher's executor: every runnable runs exactly once, on its own threads, whether it arrives in a
/// burst from many threads or one at a time to sleeping threads (a lost wake-up would leave one waiting for ever);
/// after Shutdown it refuses work and its threads end. And reference.conf's dispatcher really runs actors on it, and a
/// producer's own system its default dispatcher too, on one shared executor.
/// </summary>
public sealed class ProducerExecutorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(ActorTestConfig.Hocon, output)
{
    [Fact]
    public void Every_runnable_runs_once_in_bursts_from_many_threads_and_one_by_one_to_sleeping_threads()
    {
        var executor = new ProducerExecutor("test-executor", 2, background: true, e => throw e);
        try
        {
            const int PerThread = 20_000;
            var counts = new int[4 * PerThread];
            using var done = new CountdownEvent(counts.Length);
            Parallel.For(0, 4, t =>
            {
                for (var i = 0; i < PerThread; i++) executor.Execute(new Count(counts, t * PerThread + i, done));
            });
            Assert.True(done.Wait(TimeSpan.FromSeconds(30)), $"{done.CurrentCount} runnables never ran");
            Assert.All(counts, c => Assert.Equal(1, c));

            // One at a time, each after the threads have gone back to sleep.
            for (var i = 0; i < 200; i++)
            {
                using var ran = new ManualResetEventSlim();
                var thread = "";
                executor.Execute(new ActionRunnable(() =>
                {
                    thread = Thread.CurrentThread.Name ?? "";
                    ran.Set();
                }));
                Assert.True(ran.Wait(TimeSpan.FromSeconds(5)), $"runnable {i} was never run: a lost wake-up");
                Assert.StartsWith("test-executor_", thread);
                if (i % 20 == 0) Thread.Sleep(2);
            }
        }
        finally
        {
            executor.Shutdown();
        }
        Assert.Throws<RejectedExecutionException>(() => executor.Execute(new ActionRunnable(() => { })));
    }

    [Fact]
    public void The_producer_dispatcher_runs_actors_on_the_producer_executor_threads()
    {
        ProducerDispatcher.EnsureRegistered(Sys);
        var echo = Sys.ActorOf(Props.Create(() => new ThreadName()).WithDispatcher(ProducerDispatcher.Id));
        echo.Tell("which thread?", TestActor);
        Assert.StartsWith($"{ProducerDispatcher.Id}_", ExpectMsg<string>(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Dispatchers_sharing_an_executor_run_on_its_threads_until_the_last_share_is_given_back()
    {
        var system = new object();
        var starts = 0;
        ProducerExecutor Start()
        {
            starts++;
            return new ProducerExecutor("shared-test", 1, background: true, e => throw e);
        }
        var first = SharedProducerExecutor.Acquire(system, "group", "first", Start);
        var second = SharedProducerExecutor.Acquire(system, "group", "second", Start);
        Assert.Equal(1, starts);
        Assert.StartsWith("shared-test_", RunOn(first));
        Assert.Equal(RunOn(first), RunOn(second)); // one thread: the same

        first.Shutdown();
        first.Shutdown(); // a share is given back once
        Assert.Throws<RejectedExecutionException>(() => first.Execute(new ActionRunnable(() => { })));
        Assert.StartsWith("shared-test_", RunOn(second)); // the other share still runs

        second.Shutdown();
        Assert.Throws<RejectedExecutionException>(() => second.Execute(new ActionRunnable(() => { })));
        var third = SharedProducerExecutor.Acquire(system, "group", "third", Start); // Akka restarts an idle dispatcher
        Assert.Equal(2, starts);
        Assert.StartsWith("shared-test_", RunOn(third));
        third.Shutdown();
    }

    [Fact]
    public async Task A_producer_s_own_system_runs_the_default_dispatcher_on_the_producer_threads()
    {
        var system = ActorSystem.Create("dedicated", KafkaActors.Settings.DedicatedSystemConfig.Config);
        try
        {
            ProducerDispatcher.EnsureRegistered(system);
            var onDefault = system.ActorOf(Props.Create(() => new ThreadName()));
            var onProducer = system.ActorOf(Props.Create(() => new ThreadName()).WithDispatcher(ProducerDispatcher.Id));
            var timeout = TimeSpan.FromSeconds(5);
            var threads = new HashSet<string>();
            for (var i = 0; i < 50; i++)
            {
                threads.Add(await onDefault.Ask<string>("which thread?", timeout));
                threads.Add(await onProducer.Ask<string>("which thread?", timeout));
            }
            // One executor for both dispatchers: its two threads, named after the producer's dispatcher.
            Assert.All(threads, t => Assert.StartsWith($"{ProducerDispatcher.Id}_", t));
            Assert.InRange(threads.Count, 1, 2);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static string RunOn(ExecutorService executor)
    {
        using var ran = new ManualResetEventSlim();
        var thread = "";
        executor.Execute(new ActionRunnable(() =>
        {
            thread = Thread.CurrentThread.Name ?? "";
            ran.Set();
        }));
        Assert.True(ran.Wait(TimeSpan.FromSeconds(5)), "the runnable never ran");
        return thread;
    }

    private sealed class Count(int[] counts, int index, CountdownEvent done) : IRunnable
    {
        public void Run()
        {
            Interlocked.Increment(ref counts[index]);
            done.Signal();
        }

        public void Execute() => Run();
    }

    private sealed class ThreadName : ReceiveActor
    {
        public ThreadName() => ReceiveAny(_ => Sender.Tell(Thread.CurrentThread.Name ?? ""));
    }
}
