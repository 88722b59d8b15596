using System.Text;
using System.Text.Json;
using KafkaActors.Errors;
using KafkaActors.Security;
using KafkaActors.Security.OAuthBearer;
using Xunit;

namespace KafkaActors.Tests.Security;

/// <summary>Unsecured OAUTHBEARER tokens from JAAS options, as Java's OAuthBearerUnsecuredLoginCallbackHandler builds them.</summary>
public sealed class OAuthBearerUnsecuredLoginTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

    private static UnsecuredLoginTokenProvider Provider(params (string Key, string Value)[] options) =>
        new(options.ToDictionary(o => o.Key, o => o.Value), new FixedTimeProvider(Now));

    private static string Decode(string part) => Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(part));

    [Fact]
    public async Task Token_is_an_unsigned_JWS_with_computed_iat_and_exp_and_the_configured_claims()
    {
        var provider = Provider(
            ("unsecuredLoginStringClaim_sub", "alice"),
            ("unsecuredLoginNumberClaim_level", "42"),
            ("unsecuredLoginListClaim_scope", "|read|write"),
            ("unsecuredLoginStringClaim_note", "say \"hi\" \\ é"),
            ("someOtherModuleOption", "ignored"));

        var token = await provider.GetTokenAsync(CancellationToken.None);

        var parts = token.Value.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Equal("""{"alg":"none"}""", Decode(parts[0]));
        Assert.Equal("", parts[2]); // no signature: the token ends with '.'
        Assert.Equal(
            """{"exp":1700003600.123,"iat":1700000000.123,"level":42,"note":"say \"hi\" \\ é","scope":["read","write"],"sub":"alice"}""",
            Decode(parts[1]));
        Assert.Equal("alice", token.Principal);
        Assert.Equal(Now.AddSeconds(3600), token.ExpiresAt);
        Assert.Null(token.Extensions);
        Assert.DoesNotContain(token.Value, token.ToString());
    }

    [Fact]
    public async Task Principal_claim_name_lifetime_and_extensions_are_options()
    {
        var provider = Provider(
            ("unsecuredLoginPrincipalClaimName", " principal "),
            ("unsecuredLoginStringClaim_principal", "bob"),
            ("unsecuredLoginLifetimeSeconds", "3"),
            ("unsecuredLoginListClaim_roles", ",admin,,ops"),
            ("unsecuredLoginListClaim_none", ","),
            ("unsecuredLoginExtension_traceId", "abc-123"),
            ("unsecuredLoginExtension_region", "eu west"));

        var token = await provider.GetTokenAsync(CancellationToken.None);

        using var claims = JsonDocument.Parse(Decode(token.Value.Split('.')[1]));
        Assert.Equal("bob", claims.RootElement.GetProperty("principal").GetString());
        Assert.False(claims.RootElement.TryGetProperty("sub", out _));
        Assert.Equal(["admin", "", "ops"], claims.RootElement.GetProperty("roles").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(0, claims.RootElement.GetProperty("none").GetArrayLength());
        Assert.Equal(1700000003.123m, claims.RootElement.GetProperty("exp").GetDecimal());
        Assert.Equal("bob", token.Principal);
        Assert.Equal(Now.AddSeconds(3), token.ExpiresAt);
        Assert.Equal(new Dictionary<string, string> { ["traceId"] = "abc-123", ["region"] = "eu west" }, token.Extensions);
    }

    [Fact]
    public async Task Each_token_is_issued_at_the_current_time()
    {
        var clock = new FixedTimeProvider(Now);
        var provider = new UnsecuredLoginTokenProvider(new Dictionary<string, string> { ["unsecuredLoginStringClaim_sub"] = "a" }, clock);
        var first = await provider.GetTokenAsync(CancellationToken.None);
        clock.Now = Now.AddMinutes(10);
        var second = await provider.GetTokenAsync(CancellationToken.None);
        Assert.Equal(Now.AddSeconds(3600), first.ExpiresAt);
        Assert.Equal(Now.AddMinutes(10).AddSeconds(3600), second.ExpiresAt);
        Assert.NotEqual(first.Value, second.Value);
    }

    public static TheoryData<string, string, string, string> InvalidOptions => new()
    {
        // option, value, the option the message must name, a phrase of the reason
        { "unsecuredLoginStringClaim_name", "hush-value", "unsecuredLoginStringClaim_sub", "principal claim 'sub' is required" },
        { "unsecuredLoginStringClaim_iat", "hush-value", "unsecuredLoginStringClaim_iat", "'iat' claim is computed" },
        { "unsecuredLoginNumberClaim_exp", "1", "unsecuredLoginNumberClaim_exp", "'exp' claim is computed" },
        { "unsecuredLoginNumberClaim_level", "hush-value", "unsecuredLoginNumberClaim_level", "finite decimal number" },
        { "unsecuredLoginNumberClaim_level", "NaN", "unsecuredLoginNumberClaim_level", "finite decimal number" },
        { "unsecuredLoginLifetimeSeconds", "hush-value", "unsecuredLoginLifetimeSeconds", "whole number of seconds" },
        { "unsecuredLoginLifetimeSeconds", "0", "unsecuredLoginLifetimeSeconds", "whole number of seconds" },
        { "unsecuredLoginExtension_auth", "hush-value", "unsecuredLoginExtension_auth", "must not be 'auth'" },
        { "unsecuredLoginExtension_trace1", "hush-value", "unsecuredLoginExtension_trace1", "letters only" },
        { "unsecuredLoginExtension_trace", "hush\u0001value", "unsecuredLoginExtension_trace", "printable ASCII" },
        { "unsecuredLoginNumberClaim_scope", "7", "unsecuredLoginNumberClaim_scope", "scope claim 'scope' must be a string or a list" },
        { "unsecuredLoginStringClaim_", "hush-value", "unsecuredLoginStringClaim_", "names no claim" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_fail_with_a_ConfigException_naming_the_option_but_not_the_values(string option, string value, string named, string reason)
    {
        var options = new Dictionary<string, string>
        {
            [option] = value,
            ["unsecuredLoginStringClaim_extra"] = "other-hush-value",
        };
        if (!option.EndsWith("_name", StringComparison.Ordinal) && !option.EndsWith("_sub", StringComparison.Ordinal))
            options.TryAdd("unsecuredLoginStringClaim_sub", "alice");

        var e = Assert.Throws<ConfigException>(() => new UnsecuredLoginTokenProvider(options));

        Assert.Equal("sasl.jaas.config", e.Key);
        Assert.Contains(named, e.Message);
        Assert.Contains(reason, e.Message);
        Assert.DoesNotContain("hush", e.Message);
    }

    [Fact]
    public void Principal_claim_must_be_a_non_empty_string_claim()
    {
        var list = Assert.Throws<ConfigException>(() => Provider(("unsecuredLoginListClaim_sub", ",a,b")));
        Assert.Contains("must be a non-empty string claim", list.Message);
        var blank = Assert.Throws<ConfigException>(() => Provider(("unsecuredLoginStringClaim_sub", "  ")));
        Assert.Contains("must be a non-empty string claim", blank.Message);
    }

    [Fact]
    public void A_claim_set_twice_is_rejected()
    {
        var e = Assert.Throws<ConfigException>(() => Provider(
            ("unsecuredLoginStringClaim_sub", "alice"), ("unsecuredLoginStringClaim_role", "a"), ("unsecuredLoginListClaim_role", ",b")));
        Assert.Contains("the claim 'role' is also set by", e.Message);
    }
}
