using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KafkaActors.Testing.Secure.Sasl;

/// <summary>
/// Unsecured JWTs (RFC 7519 section 6: header <c>{"alg":"none"}</c>, no signature), the tokens Kafka's
/// OAuthBearerUnsecuredLoginCallbackHandler makes and <see cref="OAuthBearerSaslServer"/> accepts.
/// Stateless; thread-safe.
/// </summary>
public static class UnsecuredJwt
{
    /// <summary>
    /// The compact serialization <c>base64url(header).base64url(claims).</c> with the principal claim, <c>iat</c>
    /// and <c>exp</c> (seconds since the epoch, with milliseconds as a fraction, as librdkafka writes them).
    /// </summary>
    public static string Create(string principal, DateTimeOffset expiresAt, DateTimeOffset? issuedAt = null, string principalClaimName = "sub")
    {
        ArgumentException.ThrowIfNullOrEmpty(principal);
        ArgumentException.ThrowIfNullOrEmpty(principalClaimName);
        var header = "{\"alg\":\"none\"}";
        var claims = new StringBuilder("{")
            .Append(JsonSerializer.Serialize(principalClaimName)).Append(':').Append(JsonSerializer.Serialize(principal))
            .Append(",\"iat\":").Append(Seconds(issuedAt ?? DateTimeOffset.UtcNow))
            .Append(",\"exp\":").Append(Seconds(expiresAt))
            .Append('}').ToString();
        return $"{Encode(header)}.{Encode(claims)}.";
    }

    private static string Seconds(DateTimeOffset time) =>
        (time.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}
