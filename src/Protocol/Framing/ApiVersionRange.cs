namespace KafkaActors.Protocol.Framing;

/// <summary>An inclusive range of versions of one API.</summary>
public readonly record struct ApiVersionRange(short Min, short Max)
{
    public bool Contains(short version) => version >= Min && version <= Max;

    /// <summary>The highest version both sides support, or -1 when the ranges do not overlap.</summary>
    public short HighestCommon(ApiVersionRange other)
    {
        var max = Math.Min(Max, other.Max);
        var min = Math.Max(Min, other.Min);
        return max >= min ? (short)max : (short)-1;
    }

    public override string ToString() => $"{Min}..{Max}";
}
