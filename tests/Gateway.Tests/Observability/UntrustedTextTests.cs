using WamsGateway.Observability;

namespace WamsGateway.Tests.Observability;

/// <summary>A value read from outside, as a log line shows it: on one line, nothing hidden, bounded.</summary>
public sealed class UntrustedTextTests
{
    [Theory]
    [InlineData("plain-id", "plain-id")]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("a\r\nb\tc", "a\\r\\nb\\tc")]
    [InlineData("esc\u001b[2J", "esc\\u001b[2J")]
    [InlineData("nel\u0085 ls\u2028 ps\u2029", "nel\\u0085 ls\\u2028 ps\\u2029")]
    [InlineData("rtl\u202eoverride zero\u200bwidth", "rtl\\u202eoverride zero\\u200bwidth")]
    [InlineData("emoji \ud83d\ude00 kept", "emoji \ud83d\ude00 kept")]
    [InlineData("", "-")]
    [InlineData(null, "-")]
    public void ControlAndInvisibleCharacters_AreEscaped(string? value, string logged) =>
        Assert.Equal(logged, UntrustedText.ForLog(value));

    [Fact]
    public void ALoneSurrogate_IsEscaped()
    {
        // Built here: test data passed through the runner would arrive with the surrogate replaced.
        var value = "lone" + (char)0xd800 + "surrogate";

        Assert.Equal("lone\\ud800surrogate", UntrustedText.ForLog(value));
    }

    [Fact]
    public void ALongValue_IsCut_AndSaysSo()
    {
        Assert.Equal(new string('a', 64) + "…", UntrustedText.ForLog(new string('a', 1_000_000)));
        Assert.Equal("ab\\ncd…", UntrustedText.ForLog("ab\ncdef", 5));
    }
}
