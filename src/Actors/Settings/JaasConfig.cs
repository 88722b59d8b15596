using System.Text;
using KafkaActors.Errors;
using C = KafkaActors.Settings.ProducerConfig;

namespace KafkaActors.Settings;

/// <summary>One login module of a <c>sasl.jaas.config</c> value: its class, control flag and options.</summary>
internal sealed record JaasLoginModule(string ClassName, string Flag, IReadOnlyDictionary<string, string> Options)
{
    public override string ToString() => $"{JaasConfig.Printable(ClassName)} {Flag} ({Options.Count} options)";
}

/// <summary>
/// Parses <c>sasl.jaas.config</c> as Kafka's JaasConfig does:
/// <c>&lt;LoginModuleClass&gt; &lt;required|requisite|sufficient|optional&gt; key="value" key2=value2;</c>,
/// with exactly one login module ending in <c>;</c>. Quoted values take backslash escapes (<c>\"</c>,
/// <c>\\</c>, <c>\n</c>, <c>\t</c>, <c>\r</c>; any other escaped character stands for itself); unquoted values
/// run to the next blank, <c>;</c> or <c>=</c>; <c>//</c> and <c>/* */</c> comments are skipped. Errors are
/// ConfigExceptions on <c>sasl.jaas.config</c> that never quote the text (it holds passwords). Stateless.
/// </summary>
internal static partial class JaasConfig
{
    private static readonly string[] Flags = ["required", "requisite", "sufficient", "optional"];

    public static JaasLoginModule Parse(string text)
    {
        var scanner = new Scanner(text);
        var className = scanner.Word() ?? throw Error("must start with the login module's class name, e.g. " +
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"...\" password=\"...\";");
        var flag = scanner.Word();
        if (flag is null || !Flags.Contains(flag, StringComparer.OrdinalIgnoreCase))
            throw Error($"the login module {Printable(className)} must be followed by a control flag: {string.Join(", ", Flags)}.");

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            scanner.SkipBlanks();
            if (scanner.AtEnd) throw Error("the login module entry must end with ';'.");
            if (scanner.TryTake(';')) break;
            // Tokens are not quoted in messages: after a malformed value, a "name" may be part of a password.
            var at = scanner.Position;
            var key = scanner.Word() ?? throw Error($"expected an option name or ';' at character {at + 1}.");
            scanner.SkipBlanks();
            if (!scanner.TryTake('=')) throw Error($"the option name at character {at + 1} must be followed by '=' and a value (quote values holding blanks).");
            scanner.SkipBlanks();
            var value = scanner.Value() ?? throw Error($"no value for the option at character {at + 1}.");
            if (!options.TryAdd(key, value)) throw Error($"the option at character {at + 1} is given twice.");
        }
        scanner.SkipBlanks();
        if (!scanner.AtEnd)
            throw Error("must hold exactly one login module, but there is more after the first ';'.");
        return new JaasLoginModule(className, flag.ToLowerInvariant(), options);
    }

    /// <summary>
    /// The class name for a message if it looks like a Java login module class (dotted identifiers ending
    /// in LoginModule), which a password hardly does; otherwise a placeholder, as it may be a pasted secret.
    /// </summary>
    public static string Printable(string className) =>
        ClassNamePattern().IsMatch(className) ? className : "(name not shown)";

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+LoginModule$")]
    private static partial System.Text.RegularExpressions.Regex ClassNamePattern();

    private static ConfigException Error(string reason) => new(C.SaslJaasConfig, null, reason);

    /// <summary>A cursor over the text; mutable, used by one Parse call.</summary>
    private sealed class Scanner(string text)
    {
        private int _position;

        public bool AtEnd => _position >= text.Length;

        public int Position => _position;

        public void SkipBlanks()
        {
            while (!AtEnd)
            {
                if (char.IsWhiteSpace(text[_position]))
                {
                    _position++;
                }
                else if (StartsWith("//"))
                {
                    while (!AtEnd && text[_position] is not ('\n' or '\r')) _position++;
                }
                else if (StartsWith("/*"))
                {
                    var end = text.IndexOf("*/", _position + 2, StringComparison.Ordinal);
                    if (end < 0) throw Error("a /* comment is not closed.");
                    _position = end + 2;
                }
                else
                {
                    return;
                }
            }
        }

        public bool TryTake(char c)
        {
            if (AtEnd || text[_position] != c) return false;
            _position++;
            return true;
        }

        /// <summary>An unquoted token (class names, flags, option names, unquoted values); null if none is here.</summary>
        public string? Word()
        {
            SkipBlanks();
            var start = _position;
            while (!AtEnd && !char.IsWhiteSpace(text[_position]) && text[_position] is not (';' or '=' or '"') && !StartsWith("//") && !StartsWith("/*"))
                _position++;
            return _position > start ? text[start.._position] : null;
        }

        /// <summary>A quoted or unquoted option value; null if none is here.</summary>
        public string? Value()
        {
            if (!TryTake('"')) return Word();
            var value = new StringBuilder();
            while (true)
            {
                if (AtEnd) throw Error("a quoted value is not closed with '\"'.");
                var c = text[_position++];
                if (c == '"') return value.ToString();
                if (c != '\\')
                {
                    value.Append(c);
                    continue;
                }
                if (AtEnd) throw Error("a quoted value ends with a lone backslash.");
                var escaped = text[_position++];
                value.Append(escaped switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    _ => escaped,
                });
            }
        }

        private bool StartsWith(string s) => string.CompareOrdinal(text, _position, s, 0, s.Length) == 0;
    }
}
