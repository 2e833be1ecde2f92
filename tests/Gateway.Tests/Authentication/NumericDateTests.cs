using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
using WamsGateway.Authentication;

namespace WamsGateway.Tests.Authentication;

/// <summary>Which date claims make a token usable: one exp, at most one nbf and iat, each a number in range.</summary>
public sealed class NumericDateTests
{
    private const string Exp = "1800000000";

    public static TheoryData<string, (string Type, string Value, string ValueType)[], bool> Cases => new()
    {
        { "exp alone", [("exp", Exp, ClaimValueTypes.Integer64)], true },
        { "all three", [("exp", Exp, ClaimValueTypes.Integer64), ("nbf", "1700000000", ClaimValueTypes.Integer64), ("iat", "1700000000.5", ClaimValueTypes.Double)], true },
        { "no exp", [("nbf", "1700000000", ClaimValueTypes.Integer64)], false },
        { "two exp", [("exp", Exp, ClaimValueTypes.Integer64), ("exp", Exp, ClaimValueTypes.Integer64)], false },
        { "two iat", [("exp", Exp, ClaimValueTypes.Integer64), ("iat", "1", ClaimValueTypes.Integer64), ("iat", "2", ClaimValueTypes.Integer64)], false },
        { "exp a string", [("exp", Exp, ClaimValueTypes.String)], false },
        { "exp negative", [("exp", "-1", ClaimValueTypes.Integer64)], false },
        { "exp after 3000", [("exp", "32503680001", ClaimValueTypes.Integer64)], false },
        { "nbf not a number", [("exp", Exp, ClaimValueTypes.Integer64), ("nbf", "soon", ClaimValueTypes.Double)], false },
        { "other claims ignored", [("exp", Exp, ClaimValueTypes.Integer64), ("sub", "auth0|alice", ClaimValueTypes.String), ("expires", "x", ClaimValueTypes.String)], true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_same_rules_hold_in_either_kind_of_identity(string name, (string Type, string Value, string ValueType)[] claims, bool usable)
    {
        var made = claims.Select(c => new Claim(c.Type, c.Value, c.ValueType)).ToArray();
        Assert.True(usable == NumericDate.AreUsable(new ClaimsPrincipal(new CaseSensitiveClaimsIdentity(made, "jwt"))), name);
        Assert.True(usable == NumericDate.AreUsable(new ClaimsPrincipal(new ClaimsIdentity(made, "jwt"))), name);
    }

    [Fact]
    public void Claim_types_match_as_the_identitys_own_lookups_do()
    {
        Claim[] claims = [new("EXP", "32503680000", ClaimValueTypes.Integer64), new("exp", Exp, ClaimValueTypes.Integer64)];

        // A plain ClaimsIdentity finds "EXP" for "exp": two expiries, not usable (FindFirst("exp") could return either).
        Assert.False(NumericDate.AreUsable(new ClaimsPrincipal(new ClaimsIdentity(claims, "jwt"))));

        // IdentityModel's identity matches exactly: "EXP" is some other claim.
        Assert.True(NumericDate.AreUsable(new ClaimsPrincipal(new CaseSensitiveClaimsIdentity(claims, "jwt"))));
    }
}
