using System.Text.Json;
using Walkthrough;

// Walks a newcomer through the local stack: users sign in once, then reach the WAMS todo
// table and a second API through the gateway, each with the credential that API takes.
// With --check, any surprise exits non-zero.
var gateway = new Uri(Arg("--gateway") ?? "http://127.0.0.1:5000/");
var authority = new Uri(Arg("--authority") ?? "http://127.0.0.1:5100/");
var narrator = new Narrator();
using var client = new LocalStackClient(gateway, authority);
var (delegationsAtStart, exchangesAtStart, _) = await client.AuthorityStatsAsync();
HttpResponseMessage response;

Narrator.Step("Alice signs in at the local authority as the Todo mobile app");
var (aliceAccess, aliceId, aliceScope) = await client.SignInAsync("alice", "alice-password", "todo-mobile", "https://orders.local", "openid read:orders");
Narrator.Say($"she holds an ID token ({aliceId.Length} chars) and an access token for https://orders.local ({aliceAccess.Length} chars); neither is printed");
narrator.Expect(aliceScope.Split(' ').Contains("read:orders"), $"she asked for openid read:orders and was granted '{aliceScope}': read:orders is one of her permissions");

Narrator.Step("Alice adds a todo item: POST /wams/tables/todoitem with her ID token (Exchange: Auth0Delegation, api_type wams)");
var text = $"Buy milk ({DateTimeOffset.Now:HH:mm:ss})";
var (status, body, _) = await client.CallAsync(HttpMethod.Post, "wams/tables/todoitem", aliceId, new { text, complete = false, userId = "auth0|somebody-else" });
narrator.Expect(status == 201, $"gateway answered {status}");
var rowId = body?.GetProperty("id").GetString();
Narrator.Say($"the WAMS backend stored: {body}");
narrator.Expect(body?.GetProperty("userId").GetString() == "auth0|alice", "userId came from the ZUMO token the gateway obtained, not from the body");

Narrator.Step("What the WAMS backend received: GET /wams/api/whoami");
(status, body, _) = await client.CallAsync(HttpMethod.Get, "wams/api/whoami", aliceId);
var credential = body?.GetProperty("credential");
var headers = body?.GetProperty("headers");
Narrator.Say($"X-User-Id: {Header(headers, "X-User-Id")}, X-User-Email: {Header(headers, "X-User-Email")}, X-Client-Id: {Header(headers, "X-Client-Id")}");
Narrator.Say($"{credential?.GetProperty("header").GetString()}: <ZUMO token sha256:{credential?.GetProperty("fingerprint").GetString()}: uid {Claim(credential, "uid")}, iss {Claim(credential, "iss")}, ver {Claim(credential, "ver")}>");
narrator.Expect(!(body?.GetRawText() ?? string.Empty).Contains(aliceId.Split('.')[2], StringComparison.Ordinal) && Header(headers, "X-ZUMO-AUTH")?.StartsWith("[redacted sha256:", StringComparison.Ordinal) == true,
    "whoami describes the credential (claims, fingerprint) and never echoes it");
narrator.Expect(credential?.GetProperty("header").GetString() == "X-ZUMO-AUTH" && Claim(credential, "uid") == "auth0|alice", "the backend got a ZUMO token for alice in X-ZUMO-AUTH");
narrator.Expect(Header(headers, "Authorization") is null, "alice's own token did not reach the backend");

Narrator.Step("Alice reads her list twice more, once through the route where the gateway mints the ZUMO token itself (WamsMint)");
(status, body, _) = await client.CallAsync(HttpMethod.Get, "wams/tables/todoitem", aliceId);
narrator.Expect(status == 200 && Rows(body).Any(r => r.GetProperty("id").GetString() == rowId), $"/wams/tables/todoitem: {Rows(body).Count()} row(s), the new one among them");
(status, body, _) = await client.CallAsync(HttpMethod.Get, "wams-minted/tables/todoitem", aliceId);
narrator.Expect(status == 200 && Rows(body).Any(r => r.GetProperty("id").GetString() == rowId), $"/wams-minted/tables/todoitem: {Rows(body).Count()} row(s), the same user's rows");

Narrator.Step("Alice calls the orders API with her access token: GET /orders/api/whoami (Exchange: TokenExchange, RFC 8693)");
(status, body, _) = await client.CallAsync(HttpMethod.Get, "orders/api/whoami", aliceAccess);
narrator.Expect(status == 200, $"gateway answered {status}");
credential = body?.GetProperty("credential");
Narrator.Say($"{credential?.GetProperty("header").GetString()}: {credential?.GetProperty("scheme").GetString()} <exchanged token: sub {Claim(credential, "sub")}, aud {Claim(credential, "aud")}, act {Claim(credential, "act")}, scope {Claim(credential, "scope")}>");
narrator.Expect(Claim(credential, "aud") == "https://orders-backend.local" && Claim(credential, "act")?.Contains("gateway", StringComparison.Ordinal) == true,
    "the orders API got its own token for alice, naming the gateway as the actor");

Narrator.Step("The orders backend verifies that the call came through the gateway: a signed assertion on every request");
var assertion = body?.GetProperty("assertion");
Narrator.Say($"X-Gateway-Assertion, verified by the backend's stock JwtBearer against the gateway's JWKS: iss {Text(assertion, "iss")}, aud {Text(assertion, "aud")}, sub {Text(assertion, "sub")}, azp {Text(assertion, "azp")}, htm {Text(assertion, "htm")}, htu {Text(assertion, "htu")}");
narrator.Expect(Text(assertion, "sub") == "auth0|alice" && Text(assertion, "aud") == "https://orders.internal" && Text(assertion, "htm") == "GET",
    "the backend knows the caller from a signature it checked, not from a header anyone could send");
var ordersBackend = new Uri(Arg("--orders-backend") ?? "http://127.0.0.1:5102/");
var direct = await LocalStackClient.DirectAsync(new Uri(ordersBackend, "api/whoami"), aliceAccess, "X-User-Id", "auth0|alice");
narrator.Expect(direct == 401, $"the same call straight to the backend, with alice's token and a made-up X-User-Id: {direct}");

Narrator.Step("Alice reaches AWS-style APIs as herself: STS AssumeRoleWithWebIdentity with her token, then SigV4 on every request");
var attachment = $"Receipt for the milk, {DateTimeOffset.Now:O}";
(status, body, _) = await client.CallAsync(HttpMethod.Put, "files/alice/receipt.txt", aliceAccess, attachment);
narrator.Expect(status == 200, $"PUT /files/alice/receipt.txt (S3-style, signed by the gateway): {status}, stored as {body?.GetProperty("key")} for {body?.GetProperty("owner")}");
(status, body, _) = await client.CallAsync(HttpMethod.Get, "reports/monthly?year=2026&format=csv", aliceAccess);
narrator.Expect(status == 200 && body?.GetProperty("user").GetString() == "auth0|alice",
    $"GET /reports/monthly?year=2026&format=csv (API Gateway-style): {status}, the backend verified the signature for {body?.GetProperty("user")} in role {body?.GetProperty("role")}");
var stsAfterFirst = (await client.AuthorityStatsAsync()).Sts;
(status, _, _) = await client.CallAsync(HttpMethod.Get, "reports/weekly", aliceAccess);
narrator.Expect(status == 200 && (await client.AuthorityStatsAsync()).Sts == stsAfterFirst, "a third call reused the cached STS credentials");
(status, body, _) = await client.CallAsync(HttpMethod.Get, "reports-echo", aliceAccess);
var signedHeaders = body?.GetProperty("headers");
Narrator.Say($"a signed request as the backend's whoami shows it: Authorization: {Header(signedHeaders, "Authorization")}, X-Amz-Security-Token: {Header(signedHeaders, "X-Amz-Security-Token")}, X-Amz-Date: {Header(signedHeaders, "X-Amz-Date")}");
var backend = new Uri(Arg("--aws-backend") ?? "http://127.0.0.1:5101/");
(status, body) = await LocalStackClient.ForgedSigV4Async(new Uri(backend, "aws/execute-api/reports/monthly?year=2027"));
narrator.Expect(status == 403 && body?.GetProperty("error").GetString() == "InvalidToken",
    $"a SigV4 request with made-up credentials, straight to the backend: {status} {body?.GetProperty("error")}");

if (Arg("--second-gateway") is { } second)
{
    Narrator.Step($"Alice's next call lands on another replica, {second}, sharing the cache through Redis");
    using var other = new LocalStackClient(new Uri(second), authority);
    (status, body, _) = await other.CallAsync(HttpMethod.Get, "wams/tables/todoitem", aliceId);
    narrator.Expect(status == 200 && Rows(body).Any(r => r.GetProperty("id").GetString() == rowId), $"the second replica answered {status} with alice's rows");
}

var (delegations, exchanges, _) = await client.AuthorityStatsAsync();
Narrator.Step("The authority was asked once per token and API, however many calls (and replicas)");
narrator.Expect(delegations - delegationsAtStart == 1, $"delegations served: {delegations - delegationsAtStart} (for three calls to /wams with one ID token)");
narrator.Expect(exchanges - exchangesAtStart == 1, $"token exchanges served: {exchanges - exchangesAtStart}");

Narrator.Step("Alice's Mobile Services app, unchanged but for two lines: its SDK now sends her Auth0 ID token in X-ZUMO-AUTH to /mobile/ (TokenHeader)");
using (var sdk = new MobileServiceSdkClient(new Uri(gateway, "mobile/"), "todo-app-key") { AuthenticationToken = aliceId })
{
    var (sdkStatus, sdkBody) = await sdk.InsertAsync("todoitem", new { text = "Sent by the unchanged app", complete = false });
    var sdkRow = sdkBody?.GetProperty("id").GetString();
    narrator.Expect(sdkStatus == 201 && sdkBody?.GetProperty("userId").GetString() == "auth0|alice",
        $"todoTable.InsertAsync: {sdkStatus}, stored for {sdkBody?.GetProperty("userId")} (the gateway validated the token in X-ZUMO-AUTH and put the delegated ZUMO token there)");
    (sdkStatus, sdkBody) = await sdk.QueryAsync("todoitem", "$filter=(complete eq false)&$orderby=text&$inlinecount=allpages");
    var results = sdkBody is { ValueKind: JsonValueKind.Object } page ? page.GetProperty("results").EnumerateArray().ToList() : [];
    narrator.Expect(sdkStatus == 200 && results.Any(r => r.GetProperty("id").GetString() == sdkRow) && results.All(r => !r.GetProperty("complete").GetBoolean())
            && sdkBody?.GetProperty("count").GetInt32() == results.Count,
        $"todoTable.Where(t => !t.Complete).OrderBy(t => t.Text).IncludeTotalCount(): {sdkStatus}, {results.Count} open item(s), count {sdkBody?.GetProperty("count")}");
    (sdkStatus, sdkBody) = await sdk.UpdateAsync("todoitem", sdkRow ?? "-", new { id = sdkRow, text = "Sent by the unchanged app", complete = true });
    narrator.Expect(sdkStatus == 200 && sdkBody?.GetProperty("complete").GetBoolean() == true, $"todoTable.UpdateAsync (complete = true): {sdkStatus}");
    (sdkStatus, _) = await sdk.QueryAsync("todoitem", "$filter=substringof('milk',text)");
    narrator.Expect(sdkStatus == 400, $"a query this backend does not answer (substringof): {sdkStatus}, with a JSON error");
}

var (both, _, bothResponse) = await client.CallAsync(HttpMethod.Get, "mobile/tables/todoitem", aliceId, headers: new Dictionary<string, string> { ["X-ZUMO-AUTH"] = aliceId });
narrator.Expect(both == 400, $"the token in Authorization and in X-ZUMO-AUTH at once: {both}, WWW-Authenticate: {string.Join(", ", bothResponse.Headers.WwwAuthenticate)}");
var (elsewhere, _, _) = await client.CallAsync(HttpMethod.Get, "wams-minted/tables/todoitem", null, headers: new Dictionary<string, string> { ["X-ZUMO-AUTH"] = aliceId });
narrator.Expect(elsewhere == 401, $"the same header on a route whose API does not take it (/wams-minted): {elsewhere}");

if (Arg("--eu-authority") is { } euAddress)
{
    Narrator.Step($"Erik signs in at another tenant, \"eu\" ({euAddress}): the gateway checks his token against that tenant's keys");
    using var eu = new LocalStackClient(gateway, new Uri(euAddress));
    var (erikAccess, erikId, _) = await eu.SignInAsync("erik", "erik-password", "todo-mobile", "https://orders.local", "openid");
    var (euDelegationsBefore, _, _) = await eu.AuthorityStatsAsync();
    var (mainDelegationsBefore, _, _) = await client.AuthorityStatsAsync();
    (status, body, _) = await eu.CallAsync(HttpMethod.Post, "eu/wams/tables/todoitem", erikId, new { text = "Book the ferry", complete = false });
    narrator.Expect(status == 201 && body?.GetProperty("userId").GetString() == "auth0|erik",
        $"POST /eu/wams/tables/todoitem (the eu tenant's own WAMS backend) with erik's ID token: {status}, stored for {body?.GetProperty("userId")}");
    var (euDelegationsAfter, _, _) = await eu.AuthorityStatsAsync();
    var (mainDelegationsAfter, _, _) = await client.AuthorityStatsAsync();
    narrator.Expect(euDelegationsAfter == euDelegationsBefore + 1 && mainDelegationsAfter == mainDelegationsBefore,
        "the WAMS delegation went to the eu tenant, which issued his token, not to the main one");
    (status, _, response) = await eu.CallAsync(HttpMethod.Get, "wams/tables/todoitem", erikId);
    narrator.Expect(status == 401, $"the main tenant's /wams takes its own users only (a sub is unique only within its tenant): {status}, WWW-Authenticate: {string.Join(", ", response.Headers.WwwAuthenticate)}");
    (status, _, response) = await eu.CallAsync(HttpMethod.Get, "orders/api/whoami", erikAccess);
    narrator.Expect(status == 401, $"/orders takes the main tenant's tokens only (Authorities: [\"default\"]): {status}, WWW-Authenticate: {string.Join(", ", response.Headers.WwwAuthenticate)}");
    (status, _, response) = await eu.CallAsync(HttpMethod.Get, "orders/api/whoami", aliceId);
    narrator.Expect(status == 401, $"nor an app's ID token from the main tenant (Audiences: [\"https://orders.local\"]): {status}, WWW-Authenticate: {string.Join(", ", response.Headers.WwwAuthenticate)}");
    var stranger = string.Join('.', new[] { "{\"alg\":\"RS256\",\"kid\":\"k1\"}", "{\"iss\":\"https://tenant.example.com/\",\"sub\":\"auth0|erik\",\"aud\":\"todo-mobile\",\"exp\":4102444800}" }
        .Select(part => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(part)).TrimEnd('=').Replace('+', '-').Replace('/', '_'))) + ".c2lnbmF0dXJl";
    (status, _, response) = await eu.CallAsync(HttpMethod.Get, "eu/wams/tables/todoitem", stranger);
    narrator.Expect(status == 401, $"a token from an issuer the gateway does not know, refused before any key is fetched: {status}, WWW-Authenticate: {string.Join(", ", response.Headers.WwwAuthenticate)}");
}

Narrator.Step("Bob signs in asking for read:orders too: the authority grants only what his permissions allow");
var (bobAccess, bobId, bobScope) = await client.SignInAsync("bob", "bob-password", "todo-mobile", "https://orders.local", "openid read:orders");
narrator.Expect(!bobScope.Split(' ').Contains("read:orders"), $"bob asked for openid read:orders and was granted '{bobScope}'");

Narrator.Step("Bob sees his own rows only, and cannot touch alice's");
(status, body, _) = await client.CallAsync(HttpMethod.Get, "wams/tables/todoitem", bobId);
narrator.Expect(status == 200 && Rows(body).All(r => r.GetProperty("userId").GetString() == "auth0|bob"), $"bob's list: {Rows(body).Count()} row(s), none of alice's");
(status, _, _) = await client.CallAsync(HttpMethod.Patch, $"wams/tables/todoitem/{rowId}", bobId, new { complete = true });
narrator.Expect(status == 404, $"bob's PATCH of alice's row: {status}");

Narrator.Step("Policy: bob's token lacks read:orders, in scope and in permissions");
(status, body, response) = await client.CallAsync(HttpMethod.Get, "orders/api/whoami", bobAccess);
narrator.Expect(status == 403 && response.Headers.WwwAuthenticate.ToString().Contains("insufficient_scope", StringComparison.Ordinal),
    $"{status}, WWW-Authenticate: {string.Join(", ", response.Headers.WwwAuthenticate)}");

Narrator.Step("Traffic policy: bob's script hammers /wams-minted (RateLimit minted-burst: 5 per 10 s for each user)");
var codes = new List<int>();
for (var i = 0; i < 6; i++)
{
    (status, _, response) = await client.CallAsync(HttpMethod.Get, "wams-minted/tables/todoitem", bobId);
    codes.Add(status);
}

narrator.Expect(codes.Take(5).All(c => c == 200) && codes[5] == 429,
    $"answers {string.Join(" ", codes)}; the last: Retry-After {response.Headers.RetryAfter}, RateLimit-Policy {string.Join(", ", response.Headers.TryGetValues("RateLimit-Policy", out var policy) ? policy : [])}, RateLimit {string.Join(", ", response.Headers.TryGetValues("RateLimit", out var remaining) ? remaining : [])}");
var (preflightStatus, allowOrigin) = await LocalStackClient.PreflightAsync(new Uri(gateway, "wams/tables/todoitem"), "http://localhost:5173", "POST");
narrator.Expect(preflightStatus == 204 && allowOrigin == "http://localhost:5173",
    $"a browser app on http://localhost:5173 asks before a cross-origin POST /wams (CorsPolicy spa), no token needed: {preflightStatus}, Access-Control-Allow-Origin: {allowOrigin}");

Narrator.Step("Mallory forges identity and credential headers on alice's request");
(status, body, _) = await client.CallAsync(HttpMethod.Get, "wams/api/whoami", aliceId,
    headers: new Dictionary<string, string> { ["X-User-Id"] = "auth0|mallory", ["x-user-email"] = "ceo@example.com", ["X-ZUMO-AUTH"] = "forged" });
var forgedFingerprint = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("forged")))[..12];
credential = body?.GetProperty("credential");
narrator.Expect(Header(body?.GetProperty("headers"), "X-User-Id") == "auth0|alice"
        && credential?.GetProperty("fingerprint").GetString() != forgedFingerprint && Claim(credential, "uid") == "auth0|alice",
    $"backend still saw X-User-Id: {Header(body?.GetProperty("headers"), "X-User-Id")} and the gateway's ZUMO token for {Claim(credential, "uid")} (sha256:{credential?.GetProperty("fingerprint").GetString()}, not the forged one's {forgedFingerprint})");

Narrator.Step("No token, and a tampered token");
(status, _, response) = await client.CallAsync(HttpMethod.Get, "wams/tables/todoitem", null);
narrator.Expect(status == 401, $"no token: {status}, WWW-Authenticate: {string.Join(", ", response.Headers.WwwAuthenticate)}");
var tampered = aliceId[..^4] + (aliceId.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
(status, _, response) = await client.CallAsync(HttpMethod.Get, "wams/tables/todoitem", tampered);
narrator.Expect(status == 401, $"tampered token: {status}, WWW-Authenticate: {string.Join(", ", response.Headers.WwwAuthenticate)}");

Console.WriteLine();
Console.WriteLine(narrator.Failures == 0 ? "Walkthrough complete: everything behaved as expected." : $"Walkthrough finished with {narrator.Failures} surprise(s).");
return narrator.Failures == 0 ? 0 : 1;

string? Arg(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static IEnumerable<JsonElement> Rows(JsonElement? body) =>
    body is { ValueKind: JsonValueKind.Array } rows ? rows.EnumerateArray() : [];

static string? Header(JsonElement? headers, string name)
{
    if (headers is not { ValueKind: JsonValueKind.Object } h)
    {
        return null;
    }

    foreach (var property in h.EnumerateObject())
    {
        if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        {
            return string.Join(", ", property.Value.EnumerateArray().Select(v => v.GetString()));
        }
    }

    return null;
}

static string? Claim(JsonElement? credential, string name) =>
    credential is { ValueKind: JsonValueKind.Object } c && c.GetProperty("claims") is { ValueKind: JsonValueKind.Object } claims && claims.TryGetProperty(name, out var value)
        ? value.ValueKind switch
        {
            JsonValueKind.Array => string.Join(" ", value.EnumerateArray().Select(v => v.GetString())),
            JsonValueKind.String => value.GetString(),
            _ => value.GetRawText(),
        }
        : null;

static string? Text(JsonElement? document, string name) =>
    document is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
