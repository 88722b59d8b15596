namespace KafkaActors.Cli.CommandLine;

/// <summary>A sub-command of kafka-actors: its name, help and what it does.</summary>
internal interface ICommand
{
    /// <summary>The word after <c>kafka-actors</c>, e.g. <c>produce</c>.</summary>
    string Name { get; }

    /// <summary>One line for the top-level command list.</summary>
    string Summary { get; }

    /// <summary>What the command does, printed above its options.</summary>
    string Description { get; }

    IReadOnlyList<OptionSpec> Options { get; }

    /// <summary>Extra text after the options table (examples, notes); may be empty.</summary>
    string Epilog { get; }

    /// <summary>Runs with already-parsed options; returns the process exit code.</summary>
    int Run(ParsedArguments arguments);
}
