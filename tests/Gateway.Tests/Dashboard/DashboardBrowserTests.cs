using System.Net;
using System.Text.Json.Nodes;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser: Debian's headless Chromium and chromedriver (installed by scripts/test.sh; nothing is
/// downloaded), driven with Selenium WebDriver, against a running gateway. A screenshot goes to .local/test-results/.
/// </summary>
[Collection(DeadlineTestGroup.Name)]
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private readonly GatewayFixture _f = DashboardGateway.Fixture(reloads: true);

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task ThePage_ShowsRoutesApisAndAuthorities_CountsThatMove_ARefusedReloadsProblem_AndNoSecretAnywhere()
    {
        using (var first = await _f.SendAsync("/none/x", _f.Tokens.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var driver = StartChromium();
        var wait = new WebDriverWait(driver, TimeSpan.FromSeconds(30));
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
        driver.Navigate().GoToUrl(new Uri(DashboardGateway.ManagementAddress(_f), "dashboard/"));
        wait.Until(d => d.FindElement(By.TagName("body")).GetDomAttribute("data-loaded") == "true");

        var routes = Text(driver, "#routes");
        Assert.Contains("exchanged", routes, StringComparison.Ordinal);
        Assert.Contains("/minted/{**rest}", routes, StringComparison.Ordinal);
        var apis = Text(driver, "#apis");
        Assert.Contains("TokenExchange", apis, StringComparison.Ordinal);
        Assert.Contains("WamsMint", apis, StringComparison.Ordinal);
        Assert.Contains("ClientSecret: set", apis, StringComparison.Ordinal);
        Assert.Contains("MasterKey: set", apis, StringComparison.Ordinal);
        var authorities = Text(driver, "#authorities");
        Assert.Contains(_f.Authority.Issuer, authorities, StringComparison.Ordinal);
        Assert.Contains(_f.Authority.Active.KeyId!, authorities, StringComparison.Ordinal);

        // Counts move as requests are served, without a reload of the page.
        static string NoneRow(IWebDriver d) => (string)((IJavaScriptExecutor)d).ExecuteScript(
            "const row = [...document.querySelectorAll('#routes tbody tr')].find(r => r.cells[0].textContent === 'none'); return row ? row.innerText : '';")!;
        var before = NoneRow(driver);
        for (var i = 0; i < 3; i++)
        {
            using var response = await _f.SendAsync("/none/x", _f.Tokens.Valid());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        wait.Until(d => NoneRow(d) != before && NoneRow(d).Contains("2xx: ", StringComparison.Ordinal));

        // An edit the gateway refuses: the page shows it, with the problem's key, without a reload of the page.
        _f.Config["Gateway"]!["Apis"]!["broken"] = new JsonObject { ["Exchange"] = "Nope" };
        var temporary = _f.ConfigPath + ".new";
        await File.WriteAllTextAsync(temporary, _f.Config.ToJsonString());
        File.Move(temporary, _f.ConfigPath, overwrite: true);
        wait.Until(d => Text(d, "#configuration").Contains("Gateway:Apis:broken:Exchange", StringComparison.Ordinal));
        Assert.Contains("refused", Text(driver, "#configuration"), StringComparison.Ordinal);

        var page = driver.PageSource;
        Assert.DoesNotContain(DashboardGateway.ClientSecret, page, StringComparison.Ordinal);
        Assert.DoesNotContain(DashboardGateway.MasterKey, page, StringComparison.Ordinal);

        var results = Repository.File(".local", "test-results");
        Directory.CreateDirectory(results);
        ((ITakesScreenshot)driver).GetScreenshot().SaveAsFile(Path.Combine(results, "dashboard.png"));
    }

    /// <summary>An element's text, read in one script: the page re-renders its tables every few seconds.</summary>
    private static string Text(IWebDriver driver, string selector) =>
        (string)((IJavaScriptExecutor)driver).ExecuteScript("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", selector)!;

    /// <summary>Debian's Chromium and its chromedriver; the test fails (never skips) when they are missing.</summary>
    private static ChromeDriver StartChromium()
    {
        const string Browser = "/usr/bin/chromium";
        const string Driver = "/usr/bin/chromedriver";
        Assert.True(File.Exists(Browser) && File.Exists(Driver), "Chromium and chromedriver are needed: apt-get install -y chromium chromium-driver (scripts/test.sh does).");
        var options = new ChromeOptions { BinaryLocation = Browser };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }
}
