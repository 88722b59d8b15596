namespace KafkaActors.Security;

/// <summary>
/// A secret setting value (Java's <c>org.apache.kafka.common.config.types.Password</c>): <see cref="ToString"/>
/// prints <c>[hidden]</c>, so the value does not end up in logs or exception messages by accident; read
/// <see cref="Value"/> only where the secret is used. Immutable and thread-safe; equal by value.
/// </summary>
public sealed class Password : IEquatable<Password>
{
    /// <summary>What <see cref="ToString"/> prints, as Java does.</summary>
    public const string Hidden = "[hidden]";

    public Password(string value) => Value = value ?? throw new ArgumentNullException(nameof(value));

    /// <summary>The secret itself.</summary>
    public string Value { get; }

    public override string ToString() => Hidden;

    public bool Equals(Password? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as Password);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);
}
