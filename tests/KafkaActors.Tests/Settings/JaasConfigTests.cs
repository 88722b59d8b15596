using KafkaActors.Errors;
using KafkaActors.Settings;
using Xunit;

namespace KafkaActors.Tests.Settings;

public sealed class JaasConfigTests
{
    private const string Secret = "S3cr3t-pa55 word";

    [Fact]
    public void Quoted_values_take_backslash_escapes()
    {
        var module = JaasConfig.Parse("""org.apache.kafka.common.security.plain.PlainLoginModule required username="al\"ice" password="a\\b\nc";""");
        Assert.Equal("org.apache.kafka.common.security.plain.PlainLoginModule", module.ClassName);
        Assert.Equal("required", module.Flag);
        Assert.Equal("al\"ice", module.Options["username"]);
        Assert.Equal("a\\b\nc", module.Options["password"]);
    }

    [Fact]
    public void Unquoted_values_blanks_new_lines_comments_and_flag_case()
    {
        var module = JaasConfig.Parse("""
            org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule   REQUIRED
              // a comment
              clientId=my-client  /* another */ scope = "a b"
              unsecuredLoginLifetimeSeconds=3600
              extension_traceId=abc.def ;
            """);
        Assert.Equal("required", module.Flag);
        Assert.Equal("my-client", module.Options["clientId"]);
        Assert.Equal("a b", module.Options["scope"]);
        Assert.Equal("3600", module.Options["unsecuredLoginLifetimeSeconds"]);
        Assert.Equal("abc.def", module.Options["extension_traceId"]);
        Assert.Equal(4, module.Options.Count);
    }

    [Theory]
    [InlineData("requisite")]
    [InlineData("sufficient")]
    [InlineData("optional")]
    public void Every_control_flag_is_accepted(string flag) =>
        Assert.Equal(flag, JaasConfig.Parse($"x.y.PlainLoginModule {flag};").Flag);

    public static TheoryData<string, string> Malformed => new()
    {
        { $"org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"{Secret}\"", "must end with ';'" },
        { $"a.PlainLoginModule required password=\"{Secret}\"; b.ScramLoginModule required;", "exactly one login module" },
        { $"a.PlainLoginModule required password={Secret};", "must be followed by '='" },
        { $"a.PlainLoginModule required password=\"{Secret};", "not closed" },
        { $"a.PlainLoginModule password=\"{Secret}\";", "control flag" },
        { $"a.PlainLoginModule mandatory password=\"{Secret}\";", "control flag" },
        { "a.PlainLoginModule required password=;", "no value" },
        { $"a.PlainLoginModule required password=\"{Secret}\" password=\"x\";", "given twice" },
        { "", "must start with the login module's class name" },
        { Secret, "control flag" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_config_is_a_ConfigException_that_never_quotes_the_text(string text, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => JaasConfig.Parse(text));
        Assert.Equal(ProducerConfig.SaslJaasConfig, e.Key);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("S3cr3t", e.Message);
        Assert.DoesNotContain("pa55", e.Message);
        Assert.DoesNotContain("word", e.Message.Replace("password", "").Replace("keyword", ""));
    }

    [Fact]
    public void A_class_name_is_printed_only_when_it_looks_like_a_login_module()
    {
        Assert.Equal("software.amazon.msk.auth.iam.IAMLoginModule", JaasConfig.Printable("software.amazon.msk.auth.iam.IAMLoginModule"));
        Assert.DoesNotContain("hunter2", JaasConfig.Printable("hunter2"));
        Assert.DoesNotContain("p.a.s.s", JaasConfig.Printable("p.a.s.s"));
    }
}
