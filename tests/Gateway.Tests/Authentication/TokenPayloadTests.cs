using System.Text;
using WamsGateway.Authentication;

namespace WamsGateway.Tests.Authentication;

/// <summary>The payload read before validation: the issuer, the actor, and the shapes refused outright.</summary>
public sealed class TokenPayloadTests
{
    [Theory]
    [InlineData("""{"iss":"https://a/","sub":"alice","sub":"bob"}""")]
    [InlineData("""{"iss":"https://a/","aud":"x","aud":["y"]}""")]
    [InlineData("""{"iss":"https://a/","azp":"app","azp":"admin"}""")]
    [InlineData("""{"iss":"https://a/","email":"a@x","email":"b@x"}""")]
    [InlineData("""{"iss":"https://a/","iss":"https://b/"}""")]
    [InlineData("""{"iss":"https://a/","sub":"alice","s\u0075b":"bob"}""")]
    [InlineData("""{"iss":"https://a/","x-custom":1,"x-custom":2}""")]
    [InlineData("""{"iss":"https://a/","act":{"sub":"svc-a","sub":"svc-b"}}""")]
    [InlineData("""{"iss":"https://a/","act":{"sub":"svc","act":{"sub":"x","s\u0075b":"y"}}}""")]
    [InlineData("""{"iss":"https://a/","org":{"roles":[{"name":"user","name":"admin"}]}}""")]
    [InlineData("""{"iss":"https://a/","list":[[{"k":1,"k":2}]]}""")]
    public void Read_MemberNamedTwice_IsRefusedAsDuplicateClaim(string json)
    {
        var payload = TokenPayload.Read(Encoding.UTF8.GetBytes(json));

        Assert.True(payload.Readable);
        Assert.Equal(TokenPayload.DuplicateClaim, payload.Refusal);
    }

    [Theory]
    [InlineData("""{"exp":"1796619839"}""")]
    [InlineData("""{"nbf":"0"}""")]
    [InlineData("""{"iat":true}""")]
    [InlineData("""{"e\u0078p":[1796619839]}""")]
    [InlineData("""{"exp":null}""")]
    public void Read_DateThatIsNotANumber_IsRefusedAsInvalidDate(string json) =>
        Assert.Equal(TokenPayload.InvalidDate, TokenPayload.Read(Encoding.UTF8.GetBytes(json)).Refusal);

    [Fact]
    public void Read_OrdinaryToken_NoRefusal_IssuerRead_NoActor()
    {
        var payload = TokenPayload.Read(Encoding.UTF8.GetBytes("""{"iss":"https://a/","sub":"alice","aud":["x","y"],"exp":1796619839.5,"nbf":1,"iat":1,"nested":{"sub":"n"}}"""));

        Assert.Equal(new TokenPayload(true, "https://a/", null, null), payload);
    }

    [Theory]
    [InlineData("""{"alg":"RS256","kid":"k"}""", true, null)]
    [InlineData("""{"alg":"RS256","kid":"k"}garbage""", false, null)]
    [InlineData("""{"alg":"RS256"} {"alg":"none"}""", false, null)]
    [InlineData("""["RS256"]""", false, null)]
    [InlineData("""not json""", false, null)]
    [InlineData("""{"alg":"none","alg":"RS256"}""", true, TokenPayload.DuplicateClaim)]
    public void Read_TheHeader_MustBeOneJsonObject_EachNameOnce(string header, bool readable, string? refusal)
    {
        var token = Part(header) + "." + Part("""{"iss":"https://a/","sub":"alice"}""") + ".c2ln";

        var payload = TokenPayload.Read(token);

        Assert.Equal(readable, payload.Readable);
        Assert.Equal(refusal, payload.Refusal);

        static string Part(string json) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
    }

    [Fact]
    public void Read_SameNameInDifferentObjects_IsNoDuplicate()
    {
        var payload = TokenPayload.Read("""{"sub":"a","act":{"sub":"b","act":{"sub":"c"}},"list":[{"k":1},{"k":2}],"o":{"k":{"k":1}}}"""u8);

        Assert.Null(payload.Refusal);
        Assert.Equal("b", payload.Actor);
    }

    [Fact]
    public void Read_ManyNestedMembers_StillFindsADuplicateBeyondTheStackBuffer()
    {
        var members = string.Join(',', Enumerable.Range(0, 40).Select(i => $"\"m{i}\":{i}"));

        Assert.Null(TokenPayload.Read(Encoding.UTF8.GetBytes("{\"sub\":\"a\",\"o\":{" + members + "}}")).Refusal);
        Assert.Equal(TokenPayload.DuplicateClaim, TokenPayload.Read(Encoding.UTF8.GetBytes("{\"sub\":\"a\",\"o\":{" + members + ",\"m30\":1}}")).Refusal);
        Assert.Equal(TokenPayload.DuplicateClaim, TokenPayload.Read(Encoding.UTF8.GetBytes("{\"sub\":\"a\",\"o\":{" + members + ",\"m2\":1}}")).Refusal);
    }

    [Fact]
    public void Read_ManyMembers_StillFindsADuplicateBeyondTheStackBuffer()
    {
        var members = "\"sub\":\"auth0|alice\"," + string.Join(',', Enumerable.Range(0, 100).Select(i => $"\"m{i}\":{i}"));

        Assert.Null(TokenPayload.Read(Encoding.UTF8.GetBytes("{" + members + "}")).Refusal);
        Assert.Equal(TokenPayload.DuplicateClaim, TokenPayload.Read(Encoding.UTF8.GetBytes("{" + members + ",\"m70\":1}")).Refusal);
        Assert.Equal(TokenPayload.DuplicateClaim, TokenPayload.Read(Encoding.UTF8.GetBytes("{" + members + ",\"m3\":1}")).Refusal);
    }

    [Theory]
    [InlineData("""{"sub":"a"}""", null)]
    [InlineData("""{"sub":""}""", "invalid_subject")]
    [InlineData("""{"sub":12345}""", "invalid_subject")]
    [InlineData("""{"sub":null}""", "invalid_subject")]
    [InlineData("""{"sub":["a"]}""", "invalid_subject")]
    [InlineData("""{"iss":"x"}""", "invalid_subject")]
    public void Read_Subject_MustBeOneNonEmptyString(string json, string? refusal) =>
        Assert.Equal(refusal, TokenPayload.Read(Encoding.UTF8.GetBytes(json)).Refusal);

    [Theory]
    [InlineData("""{"sub":"a","email":"a@x","email_verified":true}""", true)]
    [InlineData("""{"sub":"a","email":"a@x","email_verified":"true"}""", false)]
    [InlineData("""{"sub":"a","email":"a@x","email_verified":[true]}""", false)]
    [InlineData("""{"sub":"a","email":["a@x"],"email_verified":true}""", false)]
    [InlineData("""{"sub":"a","email_verified":true}""", false)]
    [InlineData("""{"sub":"a","email":"a@x"}""", false)]
    public void Read_EmailVerified_OnlyForAStringEmailAndTheJsonValueTrue(string json, bool verified) =>
        Assert.Equal(verified, TokenPayload.Read(Encoding.UTF8.GetBytes(json)).EmailVerified);

    [Theory]
    [InlineData("""{"act":{"sub":"gateway"}}""", "gateway")]
    [InlineData("""{"act":{"client_id":"svc","act":{"sub":"earlier"}}}""", "svc")]
    [InlineData("""{"act":{"sub":"now","client_id":"svc"}}""", "now")]
    [InlineData("""{"act":{}}""", "")]
    [InlineData("""{"act":"gateway"}""", "")]
    public void Read_Actor_IsTheCurrentActorsSubElseClientId(string json, string actor) =>
        Assert.Equal(actor, TokenPayload.Read(Encoding.UTF8.GetBytes(json)).Actor);

    [Theory]
    [InlineData("[1]")]
    [InlineData("{\"a\":1}x")]
    [InlineData("{\"a\":")]
    public void Read_NotAJsonObject_IsUnreadable(string json) => Assert.False(TokenPayload.Read(Encoding.UTF8.GetBytes(json)).Readable);
}
