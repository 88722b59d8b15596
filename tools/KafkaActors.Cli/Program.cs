using KafkaActors.Cli.Broker;
using KafkaActors.Cli.CommandLine;
using KafkaActors.Cli.PerfTest;
using KafkaActors.Cli.Produce;
using KafkaActors.Errors;
using KafkaActors.Testing;

namespace KafkaActors.Cli;

/// <summary>
/// <c>kafka-actors &lt;command&gt; [options]</c>: finds the command, parses its options and maps failures to
/// exit codes: 1 with usage for a bad command line, 1 with the message for bad settings or a failed run.
/// </summary>
internal static class Program
{
    private static readonly ICommand[] Commands = [new ProduceCommand(), new PerfTestCommand(), new BrokerCommand()];

    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("Missing command.");
            Console.Error.Write(UsageWriter.Overview(Commands));
            return 1;
        }
        if (ArgumentParser.IsHelp(args[0]) || args[0] == "help")
        {
            Console.Out.Write(UsageWriter.Overview(Commands));
            return 0;
        }

        var command = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            Console.Error.WriteLine($"Unknown command '{args[0]}'.");
            Console.Error.Write(UsageWriter.Overview(Commands));
            return 1;
        }

        // Before the command's first socket (see InlineSocketCompletions): only where the sockets are a producer's.
        if (command is ProduceCommand or PerfTestCommand) InlineSocketCompletions.Enable();
        var options = args[1..];
        if (options.Any(ArgumentParser.IsHelp))
        {
            Console.Out.Write(UsageWriter.For(command));
            return 0;
        }
        try
        {
            return command.Run(ArgumentParser.Parse(options, command.Options));
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine();
            Console.Error.Write(UsageWriter.For(command));
            return 1;
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        catch (KafkaException e)
        {
            Console.Error.WriteLine(ErrorLine.For(e));
            return 1;
        }
        catch (Exception e) when (e is EmbeddedKafkaException or DllNotFoundException)
        {
            Console.Error.WriteLine($"Could not start the embedded Kafka: {e.Message}");
            return 1;
        }
    }
}
