using KafkaActors.Errors;
using KafkaActors.Security;
using KafkaActors.Security.OAuthBearer;
using Xunit;

namespace KafkaActors.Tests.Security;

/// <summary>OAuthBearerTokenProviders.Create: which provider the settings select, and its option checks.</summary>
public sealed class OAuthBearerTokenProvidersTests
{
    [Fact]
    public async Task Without_an_endpoint_the_tokens_are_unsecured_and_refreshed()
    {
        using var provider = OAuthBearerTokenProviders.Create(
            new Dictionary<string, string> { ["unsecuredLoginStringClaim_sub"] = "alice", ["unsecuredLoginExtension_team"] = "red" }, null, new SaslLoginSettings());

        var token = await provider.GetTokenAsync(CancellationToken.None);

        Assert.IsType<UnsecuredLoginTokenProvider>(provider.Inner);
        Assert.Equal("alice", token.Principal);
        Assert.StartsWith("eyJhbGciOiJub25lIn0.", token.Value); // base64url of {"alg":"none"}
        Assert.Equal("red", token.Extensions!["team"]);
    }

    [Fact]
    public async Task With_an_endpoint_the_client_credentials_and_extension_options_are_used()
    {
        await using var server = new TokenEndpointServer("id", "secret", expectedScope: "kafka");
        using var provider = OAuthBearerTokenProviders.Create(
            new Dictionary<string, string> { ["clientId"] = "id", ["clientSecret"] = "secret", ["scope"] = "kafka", ["extension_traceId"] = "x1", ["unsecuredLoginStringClaim_sub"] = "ignored" },
            server.Url.ToString(), new SaslLoginSettings());

        var token = await provider.GetTokenAsync(CancellationToken.None);

        Assert.IsType<ClientCredentialsTokenProvider>(provider.Inner);
        Assert.Equal(server.Subject, token.Principal);
        Assert.Equal(new Dictionary<string, string> { ["traceId"] = "x1" }, token.Extensions);
    }

    [Theory]
    [InlineData("clientId")]
    [InlineData("clientSecret")]
    public void A_missing_client_option_is_a_ConfigException_on_sasl_jaas_config_without_the_secret(string missing)
    {
        var options = new Dictionary<string, string> { ["clientId"] = "id", ["clientSecret"] = "hush-secret" };
        options.Remove(missing);

        var e = Assert.Throws<ConfigException>(() => OAuthBearerTokenProviders.Create(options, "https://idp.example/token", new SaslLoginSettings()));

        Assert.Equal("sasl.jaas.config", e.Key);
        Assert.Contains(missing, e.Message);
        Assert.DoesNotContain("hush", e.Message);
    }

    [Fact]
    public void A_bad_extension_or_endpoint_is_a_ConfigException()
    {
        var extension = Assert.Throws<ConfigException>(() => OAuthBearerTokenProviders.Create(
            new Dictionary<string, string> { ["clientId"] = "id", ["clientSecret"] = "s", ["extension_auth"] = "x" }, "https://idp.example/token", new SaslLoginSettings()));
        Assert.Equal("sasl.jaas.config", extension.Key);
        Assert.Contains("extension_auth", extension.Message);

        var url = Assert.Throws<ConfigException>(() => OAuthBearerTokenProviders.Create(
            new Dictionary<string, string> { ["clientId"] = "id", ["clientSecret"] = "s" }, "ftp://idp.example/token", new SaslLoginSettings()));
        Assert.Equal("sasl.oauthbearer.token.endpoint.url", url.Key);
    }
}
