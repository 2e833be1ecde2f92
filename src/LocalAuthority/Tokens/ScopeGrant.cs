using System.Collections.Frozen;

namespace LocalAuthority.Tokens;

/// <summary>
/// What Auth0's RBAC grants: the OpenID Connect scopes as asked, and of the API scopes asked only
/// those the user holds as permissions. Asking for a scope never grants it.
/// </summary>
public static class ScopeGrant
{
    private static readonly FrozenSet<string> OidcScopes = FrozenSet.Create(StringComparer.Ordinal, "openid", "profile", "email", "offline_access");

    /// <param name="asked">The space-separated scopes the client asked for.</param>
    /// <param name="user">The user the token is for; null when unknown, which grants no API scope.</param>
    public static string For(string? asked, UserOptions? user) =>
        string.Join(' ', (asked ?? string.Empty)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Distinct(StringComparer.Ordinal)
            .Where(scope => OidcScopes.Contains(scope) || (user?.Permissions.Contains(scope, StringComparer.Ordinal) ?? false)));

    /// <summary>The configured user whose subject this is (its <c>Subject</c>, else <c>auth0|{username}</c>).</summary>
    public static UserOptions? UserBySubject(LocalAuthorityOptions settings, string? subject) =>
        subject is null ? null : settings.Users.FirstOrDefault(u => (u.Value.Subject ?? "auth0|" + u.Key) == subject).Value;
}
