using WamsGateway.Forwarding;

namespace WamsGateway.Tests.Forwarding;

/// <summary>Every claim value becomes a header value of printable ASCII, whatever it holds.</summary>
public sealed class IdentityHeaderEncodingTests
{
    [Theory]
    [InlineData("auth0|alice", "auth0|alice")]
    [InlineData("jos\u00e9\r\nX-Admin: 1", "jos%C3%A9%0D%0AX-Admin%3A%201")]
    [InlineData("a\0b\u007f", "a%00b%7F")]
    [InlineData("\u202eevil", "%E2%80%AEevil")]
    [InlineData("pair \ud83d\ude00", "pair%20%F0%9F%98%80")]
    public void Encode_AnyText_GivesPrintableAscii(string claim, string expected)
    {
        var encoded = IdentityHeadersTransform.Encode(claim);

        Assert.Equal(expected, encoded);
        Assert.All(encoded, c => Assert.InRange(c, ' ', '~'));
    }

    [Fact]
    public void Encode_LoneSurrogates_BecomeReplacementCharacters()
    {
        // Built at run time: attribute arguments cannot carry a lone surrogate intact.
        var high = "lone " + (char)0xD800 + " high";
        var reversed = "lone " + (char)0xDC00 + (char)0xD800;

        Assert.Equal("lone%20%EF%BF%BD%20high", IdentityHeadersTransform.Encode(high));
        Assert.Equal("lone%20%EF%BF%BD%EF%BF%BD", IdentityHeadersTransform.Encode(reversed));
    }
}
