using System.Security.Cryptography;
using System.Text;

namespace KafkaActors.Protocol.Security;

/// <summary>
/// The text format of SCRAM messages (RFC 5802 section 7): saslname escaping, <c>attr=value</c> lists and nonces.
/// Shared by the client and the test server. Stateless; thread-safe.
/// </summary>
public static class ScramFormatter
{
    /// <summary>The GS2 header of a client without channel binding and without an authorization id.</summary>
    public const string Gs2Header = "n,,";

    /// <summary>base64(<see cref="Gs2Header"/>): the channel binding attribute <c>c=</c> of the client-final message.</summary>
    public const string ChannelBinding = "biws";

    /// <summary>A saslname: the user name with <c>=</c> written as <c>=3D</c> and <c>,</c> as <c>=2C</c>.</summary>
    public static string SaslName(string username) => username.Replace("=", "=3D").Replace(",", "=2C");

    /// <summary>The user name a saslname stands for. Throws <see cref="FormatException"/> for any other use of <c>=</c>.</summary>
    public static string Username(string saslName)
    {
        var builder = new StringBuilder(saslName.Length);
        for (var i = 0; i < saslName.Length; i++)
        {
            var c = saslName[i];
            if (c == ',') throw new FormatException("A saslname may not contain ','.");
            if (c != '=')
            {
                builder.Append(c);
                continue;
            }
            var escape = i + 3 <= saslName.Length ? saslName.Substring(i, 3) : "";
            builder.Append(escape switch
            {
                "=3D" => '=',
                "=2C" => ',',
                _ => throw new FormatException("Invalid escape in a saslname."),
            });
            i += 2;
        }
        return builder.ToString();
    }

    /// <summary>
    /// Splits a message into its attributes in order: each is one letter, <c>=</c>, and a value that runs to the
    /// next <c>,</c> (values never contain one). Throws <see cref="FormatException"/> when an attribute is malformed.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<char, string>> Attributes(string message)
    {
        var parts = message.Split(',');
        var attributes = new List<KeyValuePair<char, string>>(parts.Length);
        foreach (var part in parts)
        {
            if (part.Length < 2 || part[1] != '=' || !char.IsAsciiLetter(part[0]))
                throw new FormatException("Malformed SCRAM attribute.");
            attributes.Add(new(part[0], part[2..]));
        }
        return attributes;
    }

    /// <summary>A fresh random nonce: 24 random bytes in base64, printable and free of <c>,</c> as RFC 5802 requires.</summary>
    public static string GenerateNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    /// <summary>True when <paramref name="nonce"/> is a valid nonce: printable ASCII other than <c>,</c>, not empty.</summary>
    public static bool IsValidNonce(string nonce) => nonce.Length > 0 && nonce.All(c => c is >= '!' and <= '~' && c != ',');
}
