namespace WamsGateway.Authentication;

/// <summary>
/// What the gateway vouches for about the caller beyond the token's claims, read from the token that authenticated the request.
/// </summary>
/// <param name="Issuer">
/// The authority the caller came from, as configured (its <c>Authority</c>), whichever of its issuer spellings the token
/// used (with or without the trailing slash, a <c>ValidIssuers</c> alias): one tenant, one name, so a <c>sub</c> paired
/// with it names one user. Null when the request was not authenticated by a configured authority.
/// </param>
/// <param name="EmailVerified">The token has one <c>email</c> string and <c>email_verified</c> as the JSON value <c>true</c>.</param>
internal readonly record struct CallerFacts(string? Issuer, bool EmailVerified);
