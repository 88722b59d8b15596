namespace KafkaActors.Cli.CommandLine;

/// <summary>The command line is wrong: the message says why; the command's usage is printed after it and the exit code is 1.</summary>
internal sealed class UsageException(string message) : Exception(message);
