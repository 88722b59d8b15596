using System.Text;

namespace KafkaActors.Cli.CommandLine;

/// <summary>Renders usage text: the command list, and each command's options as a two-column table.</summary>
internal static class UsageWriter
{
    public const string Tool = "kafka-actors";
    private const int Width = 100;

    public static string Overview(IEnumerable<ICommand> commands)
    {
        var list = commands.ToList();
        var text = new StringBuilder();
        text.AppendLine($"Usage: {Tool} <command> [options]");
        text.AppendLine();
        text.AppendLine("A pure-managed Kafka producer built as Akka.NET actors; tools modelled on Apache Kafka's.");
        text.AppendLine();
        text.AppendLine("Commands:");
        var pad = list.Max(c => c.Name.Length) + 4;
        foreach (var command in list) text.AppendLine($"  {command.Name.PadRight(pad)}{command.Summary}");
        text.AppendLine();
        text.AppendLine($"Run '{Tool} <command> --help' for a command's options.");
        return text.ToString();
    }

    public static string For(ICommand command)
    {
        var text = new StringBuilder();
        text.AppendLine($"Usage: {Tool} {command.Name} [options]");
        text.AppendLine();
        foreach (var line in Wrap(command.Description, Width)) text.AppendLine(line);
        text.AppendLine();
        text.AppendLine("Options:");
        var options = command.Options.Append(OptionSpec.Flag("--help", "Print this usage and exit.")).ToList();
        var column = Math.Min(options.Max(o => o.Synopsis.Length) + 4, 44);
        foreach (var option in options)
        {
            var help = option.Required ? "REQUIRED: " + option.Help : option.Help;
            var lines = Wrap(help, Width - column - 2).ToList();
            var synopsis = "  " + option.Synopsis;
            if (synopsis.Length + 2 > column + 2)
            {
                text.AppendLine(synopsis);
                synopsis = "";
            }
            text.Append(synopsis.PadRight(column + 2)).AppendLine(lines[0]);
            foreach (var more in lines.Skip(1)) text.Append(' ', column + 2).AppendLine(more);
        }
        if (command.Epilog.Length > 0)
        {
            text.AppendLine();
            text.Append(command.Epilog);
            if (!command.Epilog.EndsWith('\n')) text.AppendLine();
        }
        return text.ToString();
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        yield return line.ToString();
    }
}
