using System.Text.Json;
using Walkthrough;

// Walks a newcomer through the local stack: two users sign in, call two APIs through the
// gateway, and see what each backend received. With --check, any surprise exits non-zero.
var gateway = new Uri(Arg("--gateway") ?? "http://127.0.0.1:5000/");
var authority = new Uri(Arg("--authority") ?? "http://127.0.0.1:5100/");
var narrator = new Narrator();
using var client = new LocalStackClient(gateway, authority);

Narrator.Step("Alice signs in at the local authority (Auth0's password grant), as the Todo mobile app");
var alice = await client.SignInAsync("alice", "alice-password", "todo-mobile", "https://wams-todo.local", "openid read:todo write:todo");
Narrator.Say($"access token for https://wams-todo.local: {alice.Length} characters (never printed in full)");

Narrator.Step("Alice calls the WAMS backend through the gateway: GET /wams/api/whoami (Exchange: None)");
var (status, body, _) = await client.CallAsync(HttpMethod.Get, "wams/api/whoami", alice);
narrator.Expect(status == 200, $"gateway answered {status}");
var headers = body?.GetProperty("headers");
Narrator.Say($"backend saw X-User-Id: {Header(headers, "X-User-Id")}, X-User-Email: {Header(headers, "X-User-Email")}, X-Client-Id: {Header(headers, "X-Client-Id")}");
narrator.Expect(Header(headers, "X-User-Id") == "auth0|alice", "the user id came from the token");
narrator.Expect(Header(headers, "Authorization") is null, "alice's own token did not reach the backend");

Narrator.Step("Alice calls a second API, the orders backend: GET /orders/api/whoami (Exchange: Passthrough)");
var orders = await client.SignInAsync("alice", "alice-password", "todo-desktop", "https://orders.local", "openid read:orders");
(status, body, _) = await client.CallAsync(HttpMethod.Get, "orders/api/whoami", orders);
narrator.Expect(status == 200, $"gateway answered {status}");
var credential = body?.GetProperty("credential");
var claims = credential is { ValueKind: JsonValueKind.Object } c ? c.GetProperty("claims") : (JsonElement?)null;
Narrator.Say($"backend received {credential?.GetProperty("header").GetString()}: {credential?.GetProperty("scheme").GetString()} <token for aud {Claim(claims, "aud")}>");
narrator.Expect(Header(body?.GetProperty("headers"), "X-Client-Id") == "todo-desktop", "X-Client-Id names the desktop app");

Narrator.Step("Mallory forges identity headers on alice's request");
(status, body, _) = await client.CallAsync(HttpMethod.Get, "wams/api/whoami", alice, headers: new Dictionary<string, string> { ["X-User-Id"] = "auth0|mallory", ["x-user-email"] = "ceo@example.com" });
narrator.Expect(Header(body?.GetProperty("headers"), "X-User-Id") == "auth0|alice", $"backend still saw X-User-Id: {Header(body?.GetProperty("headers"), "X-User-Id")}");

Narrator.Step("A call with no token, and one with a tampered token");
(status, _, var response) = await client.CallAsync(HttpMethod.Get, "wams/api/whoami", null);
narrator.Expect(status == 401, $"no token: {status}, WWW-Authenticate: {string.Join(", ", response.Headers.WwwAuthenticate)}");
var tampered = alice[..^4] + (alice.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
(status, _, response) = await client.CallAsync(HttpMethod.Get, "wams/api/whoami", tampered);
narrator.Expect(status == 401, $"tampered token: {status}, WWW-Authenticate: {string.Join(", ", response.Headers.WwwAuthenticate)}");

Narrator.Step("Bob signs in and calls the same API");
var bob = await client.SignInAsync("bob", "bob-password", "todo-mobile", "https://wams-todo.local", "openid read:todo");
(status, body, _) = await client.CallAsync(HttpMethod.Get, "wams/api/whoami", bob);
narrator.Expect(Header(body?.GetProperty("headers"), "X-User-Id") == "auth0|bob", $"backend saw X-User-Id: {Header(body?.GetProperty("headers"), "X-User-Id")}");

Console.WriteLine();
Console.WriteLine(narrator.Failures == 0 ? "Walkthrough complete: everything behaved as expected." : $"Walkthrough finished with {narrator.Failures} surprise(s).");
return narrator.Failures == 0 ? 0 : 1;

string? Arg(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

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

static string? Claim(JsonElement? claims, string name) =>
    claims is { ValueKind: JsonValueKind.Object } c && c.TryGetProperty(name, out var value)
        ? value.ValueKind == JsonValueKind.Array ? string.Join(" ", value.EnumerateArray().Select(v => v.GetString())) : value.ToString()
        : null;
