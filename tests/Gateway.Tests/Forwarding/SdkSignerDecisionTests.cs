using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace WamsGateway.Tests.Forwarding;

/// <summary>
/// The evidence behind keeping the gateway's own SigV4 signer: AWSSDK.Core's public <see cref="AWSSigV4Signer"/>,
/// already a dependency, run against the same vendored AWS SigV4 test suite (see SigV4Signer's doc comment).
/// </summary>
public sealed class SdkSignerDecisionTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Forwarding", "TestData", "aws-sig-v4-test-suite", "v4");

    [Fact]
    public void SdkSigner_ReproducesFewOfTheSuitesSignatures()
    {
        var outcomes = Directory.GetDirectories(Root).Order(StringComparer.Ordinal).ToDictionary(d => Path.GetFileName(d), Outcome);

        Assert.True(outcomes.Count >= 30);
        var matching = outcomes.Where(o => o.Value == "MATCH").Select(o => o.Key).ToList();
        Assert.True(matching.Count < outcomes.Count / 2, $"the SDK signer now matches {matching.Count} of {outcomes.Count} cases: reconsider using it");
    }

    [Fact]
    public void SdkSigner_SignsContentSha256_EvenWhenThePayloadIsNotSigned()
    {
        var authorization = Outcome(Path.Combine(Root, "get-vanilla"));

        Assert.Contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date,", authorization, StringComparison.Ordinal);
    }

    [Fact]
    public void SdkSigner_SignsAnUnnormalizedPathAsIfNormalized()
    {
        // S3 signs the path as sent: /example1/example2/../.. is not /. The SDK takes the path through
        // System.Uri, which removes the dot segments, so it signs both as the same request.
        var unnormalized = Outcome(Path.Combine(Root, "get-relative-relative-unnormalized"));
        var root = Outcome(Path.Combine(Root, "get-vanilla"));

        Assert.Equal(root, unnormalized);
    }

    private static string Outcome(string folder)
    {
        try
        {
            using var context = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "context.json")));
            var root = context.RootElement;
            var c = root.GetProperty("credentials");
            var token = c.TryGetProperty("token", out var t) ? t.GetString() : null;
            AWSCredentials credentials = token is null
                ? new BasicAWSCredentials(c.GetProperty("access_key_id").GetString(), c.GetProperty("secret_access_key").GetString())
                : new SessionAWSCredentials(c.GetProperty("access_key_id").GetString(), c.GetProperty("secret_access_key").GetString(), token);
            var text = File.ReadAllText(Path.Combine(folder, "request.txt")).Replace("\r\n", "\n", StringComparison.Ordinal);
            var split = text.Split("\n\n", 2);
            var head = split[0].Split('\n');
            var parts = head[0].Split(' ');
            var method = parts[0];
            var target = head[0][(method.Length + 1)..head[0].LastIndexOf(" HTTP/", StringComparison.Ordinal)];
            var request = new AWSSigningRequest { HttpMethod = new HttpMethod(method), RequestUri = new Uri("https://example.amazonaws.com" + target) };
            foreach (var line in head.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    var name = line[..colon];
                    if (!name.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase))
                    {
                        request.Headers[name] = request.Headers.TryGetValue(name, out var v) ? v + "," + line[(colon + 1)..] : line[(colon + 1)..];
                    }
                }
            }

            if (split.Length > 1 && split[1].Length > 0)
            {
                request.Content = Encoding.UTF8.GetBytes(split[1]);
            }

            var result = AWSSigV4Signer.Sign(request, new AWSSigV4Parameters
            {
                Credentials = credentials,
                Region = Amazon.RegionEndpoint.GetBySystemName(root.GetProperty("region").GetString()),
                Service = root.GetProperty("service").GetString(),
                SignPayload = root.GetProperty("sign_body").GetBoolean(),
                SignedAt = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture).UtcDateTime,
            });
            var expected = File.ReadAllText(Path.Combine(folder, "header-signed-request.txt"));
            var authz = result.Headers.TryGetValue("Authorization", out var a) ? a : "(none)";
            return expected.Contains("Authorization:" + authz, StringComparison.Ordinal) ? "MATCH" : "DIFF " + authz;
        }
        catch (Exception ex)
        {
            return "THROWS " + ex.GetType().Name + ": " + ex.Message;
        }
    }
}
