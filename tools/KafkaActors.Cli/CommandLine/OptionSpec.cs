namespace KafkaActors.Cli.CommandLine;

/// <summary>How many values an option takes.</summary>
internal enum OptionArity
{
    /// <summary>No value: present or not (<c>--print-metrics</c>).</summary>
    Flag,

    /// <summary>One value; given twice, the last one wins.</summary>
    Single,

    /// <summary>One value each time; may be given several times (<c>--property a=b --property c=d</c>).</summary>
    Repeated,

    /// <summary>One or more values up to the next option (<c>--producer-props a=b c=d</c>); may also be repeated.</summary>
    OneOrMore,

    /// <summary>
    /// A value that may be left out (joptsimple's <c>withOptionalArg</c>, <c>--compression-codec [lz4]</c>): the next
    /// argument when it is not an option, else the empty string. Given twice, the last one wins.
    /// </summary>
    OptionalValue,
}

/// <summary>One <c>--option</c> of a command: its name, value placeholder and help text.</summary>
internal sealed record OptionSpec(string Name, OptionArity Arity, string? ValueName, string Help, bool Required = false)
{
    public static OptionSpec Flag(string name, string help) => new(name, OptionArity.Flag, null, help);

    public static OptionSpec Single(string name, string valueName, string help, bool required = false) =>
        new(name, OptionArity.Single, valueName, help, required);

    public static OptionSpec Repeated(string name, string valueName, string help) => new(name, OptionArity.Repeated, valueName, help);

    public static OptionSpec OneOrMore(string name, string valueName, string help) => new(name, OptionArity.OneOrMore, valueName, help);

    public static OptionSpec OptionalValue(string name, string valueName, string help) => new(name, OptionArity.OptionalValue, valueName, help);

    /// <summary>How the option appears in the usage table, e.g. <c>--topic &lt;topic&gt;</c>.</summary>
    public string Synopsis => Arity switch
    {
        OptionArity.Flag => Name,
        OptionArity.OneOrMore => $"{Name} <{ValueName}> [<{ValueName}> ...]",
        OptionArity.OptionalValue => $"{Name} [<{ValueName}>]",
        _ => $"{Name} <{ValueName}>",
    };
}
