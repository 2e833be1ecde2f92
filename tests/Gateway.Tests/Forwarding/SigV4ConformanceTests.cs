using System.Globalization;
using System.Text;
using System.Text.Json;
using WamsGateway.Exchanges.AwsSts.SigV4;

namespace WamsGateway.Tests.Forwarding;

/// <summary>Every case of the AWS SigV4 test suite (vendored in TestData/aws-sig-v4-test-suite, see its NOTICE.md), header signing.</summary>
public sealed class SigV4ConformanceTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var directory in Directory.GetDirectories(SuiteRoot()).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(directory));
        }

        return data;
    }

    [Fact]
    public void Suite_IsThere()
    {
        Assert.True(Cases().Count >= 30, $"expected the AWS test suite under {SuiteRoot()}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sign_MatchesTheSuite(string name)
    {
        var folder = Path.Combine(SuiteRoot(), name);
        using var context = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "context.json")));
        var root = context.RootElement;
        var credentials = root.GetProperty("credentials");
        var token = credentials.TryGetProperty("token", out var t) ? t.GetString() : null;
        var omitToken = root.TryGetProperty("omit_session_token", out var o) && o.GetBoolean();
        var signBody = root.GetProperty("sign_body").GetBoolean();
        var time = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);

        var (method, path, query, headers, body) = ParseRequest(File.ReadAllText(Path.Combine(folder, "request.txt")));
        var payloadHash = SigV4Signer.PayloadHash(Encoding.UTF8.GetBytes(body));
        headers.Add(new("X-Amz-Date", SigV4Signer.AmzDate(time)));
        if (token is not null && !omitToken)
        {
            headers.Add(new("X-Amz-Security-Token", token));
        }

        if (signBody)
        {
            headers.Add(new("x-amz-content-sha256", payloadHash));
        }

        var signature = SigV4Signer.Sign(
            new SigV4Request(method, path, query, headers, payloadHash),
            new SigV4Credentials(credentials.GetProperty("access_key_id").GetString()!, credentials.GetProperty("secret_access_key").GetString()!, token),
            root.GetProperty("region").GetString()!,
            root.GetProperty("service").GetString()!,
            time,
            root.GetProperty("normalize").GetBoolean() ? SigV4PathStyle.Normalized : SigV4PathStyle.AsSent);

        Assert.Equal(Read(folder, "header-canonical-request.txt"), signature.CanonicalRequest);
        Assert.Equal(Read(folder, "header-string-to-sign.txt"), signature.StringToSign);
        Assert.Equal(Read(folder, "header-signature.txt"), signature.Signature);
        var signedRequest = Read(folder, "header-signed-request.txt");
        Assert.Contains("Authorization:" + signature.Authorization, signedRequest, StringComparison.Ordinal);
    }

    /// <summary>The suite's request.txt: request line, headers (continuation lines fold into the previous), blank line, body.</summary>
    private static (string Method, string Path, string? Query, List<KeyValuePair<string, string>> Headers, string Body) ParseRequest(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(" HTTP/", StringComparison.Ordinal)];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? null : target[(question + 1)..];

        var headers = new List<KeyValuePair<string, string>>();
        var i = 1;
        for (; i < lines.Length && lines[i].Length > 0; i++)
        {
            if (char.IsWhiteSpace(lines[i][0]) && headers.Count > 0)
            {
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + " " + lines[i].Trim());
                continue;
            }

            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(lines[i][..colon], lines[i][(colon + 1)..]));
        }

        var body = i + 1 < lines.Length ? string.Join('\n', lines[(i + 1)..]) : string.Empty;
        return (method, path, query, headers, body);
    }

    private static string Read(string folder, string file) => File.ReadAllText(Path.Combine(folder, file)).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');

    /// <summary>The suite, copied beside the test assembly from Forwarding/TestData/ (Gateway.Tests.csproj).</summary>
    private static string SuiteRoot()
    {
        var root = Path.Combine(AppContext.BaseDirectory, "Forwarding", "TestData", "aws-sig-v4-test-suite", "v4");
        return Directory.Exists(root) ? root : throw new DirectoryNotFoundException($"The AWS SigV4 test suite is not at {root}.");
    }
}
