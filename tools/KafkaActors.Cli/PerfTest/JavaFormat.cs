using System.Globalization;

namespace KafkaActors.Cli.PerfTest;

/// <summary>Java's <c>printf</c> number formats, culture-independent: <c>%f</c> is six decimals, <c>%.Nf</c> N decimals.</summary>
internal static class JavaFormat
{
    /// <summary><c>%.Nf</c>.</summary>
    public static string Fixed(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    /// <summary><c>%f</c>.</summary>
    public static string Fixed(double value) => Fixed(value, 6);

    /// <summary><c>%d</c>.</summary>
    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);
}
