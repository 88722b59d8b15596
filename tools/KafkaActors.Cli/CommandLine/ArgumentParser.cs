namespace KafkaActors.Cli.CommandLine;

/// <summary>
/// Parses <c>--name value</c>, <c>--name=value</c> and flags against a command's <see cref="OptionSpec"/>s.
/// Anything else (unknown options, stray words, missing values or required options) is a <see cref="UsageException"/>.
/// </summary>
internal static class ArgumentParser
{
    public static bool IsHelp(string arg) => arg is "--help" or "-h" or "-?";

    public static ParsedArguments Parse(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs)
    {
        var byName = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"Unexpected argument '{arg}'.");

            string name = arg;
            string? inline = null;
            var equals = arg.IndexOf('=');
            if (equals > 0)
            {
                name = arg[..equals];
                inline = arg[(equals + 1)..];
            }
            if (!byName.TryGetValue(name, out var spec))
                throw new UsageException($"Unrecognized option '{name}'.");

            var list = values.TryGetValue(name, out var existing) ? existing : values[name] = [];
            switch (spec.Arity)
            {
                case OptionArity.Flag:
                    if (inline is not null) throw new UsageException($"Option {name} takes no value.");
                    break;
                case OptionArity.Single:
                case OptionArity.Repeated:
                    list.Add(inline ?? NextValue(args, ref i, name));
                    break;
                case OptionArity.OptionalValue:
                    list.Add(inline ?? (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : ""));
                    break;
                case OptionArity.OneOrMore:
                    if (inline is not null) list.Add(inline);
                    else list.Add(NextValue(args, ref i, name));
                    while (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) list.Add(args[++i]);
                    break;
            }
        }

        foreach (var spec in specs)
            if (spec.Required && !values.ContainsKey(spec.Name))
                throw new UsageException($"Missing required option {spec.Name}.");
        return new ParsedArguments(values);
    }

    private static string NextValue(IReadOnlyList<string> args, ref int i, string name)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new UsageException($"Option {name} requires a value.");
        return args[++i];
    }
}
