using System.IO.Compression;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Billing.Integration.Tests.Portal;

/// <summary>
/// The portal in a real headless Chromium: Debian's <c>chromium</c> driven by Playwright through
/// <see cref="Chromium"/> (never a browser download; `.ci/run` installs the package when missing).
/// One browser for the whole test.
/// </summary>
[Collection(SharedPortalWorld.Name)]
public sealed class PortalBrowserTests(PortalWorld fx)
{
    public const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Finance_signs_in_finds_an_invoice_downloads_its_pdf_and_a_runs_zip_while_strangers_forgers_and_operations_are_refused()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (.ci/run does)");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var options = new BrowserNewContextOptions { BaseURL = fx.Serve.Url, AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 1366, Height = 768 } };

        // Anonymous: a page leads to the sign-in form, a download is refused outright.
        await using var stranger = await browser.NewContextAsync(options);
        var anonymous = await stranger.NewPageAsync();
        await anonymous.GotoAsync("/portal/bill-runs/1");
        Assert.EndsWith("/portal/sign-in?returnUrl=%2Fportal%2Fbill-runs%2F1", anonymous.Url, StringComparison.Ordinal);
        Assert.Equal(401, (await stranger.APIRequest.GetAsync("/portal/invoices/INV-2026-000001.pdf")).Status);

        // The jobs dashboard too, though this browser is on the same machine: the sign-in form, then the dashboard.
        await anonymous.GotoAsync("/hangfire");
        Assert.EndsWith("/portal/sign-in?returnUrl=%2Fhangfire", anonymous.Url, StringComparison.Ordinal);
        await Expect(anonymous.Locator("h1")).ToHaveTextAsync("Sign in");

        // Finance signs in and searches by customer name, any case, then by number.
        await using var finance = await browser.NewContextAsync(options);
        var page = await finance.NewPageAsync();
        await page.GotoAsync("/portal/invoices");
        await SignIn(page, PortalWorld.FinanceUser, PortalWorld.FinancePassword);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Invoices");
        await page.FillAsync("input[name=name]", "zoë");
        await page.ClickAsync("form.search button");
        await Expect(page.Locator("table.invoices tbody tr td:first-child")).ToHaveTextAsync(["INV-2027-000001", "INV-2026-000001"]);
        await page.FillAsync("input[name=name]", "");
        await page.FillAsync("input[name=number]", "INV-2026-000003");
        await page.ClickAsync("form.search button");
        var rows = page.Locator("table.invoices tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync("Comércio São Paulo Ltda");
        await page.GotoAsync("/portal/invoices");
        await Snapshot(page, "invoices");
        await page.GotoAsync("/portal/invoices?number=INV-2026-000003");

        // Its page: the summary, the lines, the PDF.
        await page.ClickAsync("text=INV-2026-000003");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Invoice INV-2026-000003");
        await Expect(page.Locator("table.summary tr.due")).ToContainTextAsync("36.36 GBP");
        await Snapshot(page, "invoice");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("a.download"));
        var pdf = await File.ReadAllBytesAsync(await download.PathAsync());
        Assert.Equal("INV-2026-000003.pdf", download.SuggestedFilename);
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
        Assert.Equal(await File.ReadAllBytesAsync(fx.StoredPath("INV-2026-000003")), pdf);

        // The run it came from, its report and its PDFs as one ZIP.
        await page.ClickAsync("nav >> text=Bill runs");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Bill runs");
        await page.ClickAsync("a[href='/portal/bill-runs/1'] >> text=2026-12-01");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Bill run 2026-12-01 (#1)");
        await Snapshot(page, "bill-run");
        var zipped = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("a.download"));
        using (var zip = ZipFile.OpenRead(await zipped.PathAsync()))
        {
            Assert.Equal(3, zip.Entries.Count(e => e.FullName.EndsWith(".pdf", StringComparison.Ordinal)));
        }

        // A form another site makes this browser post carries its cookies but not the page's token.
        var forged = await finance.APIRequest.PostAsync("/portal/sign-out", new APIRequestContextOptions { Form = finance.APIRequest.CreateFormData() });
        Assert.Equal(400, forged.Status);
        await page.GotoAsync("/portal/bill-runs");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Bill runs");

        // Operations views the same invoice without a PDF link, and is refused the file itself.
        await using var operations = await browser.NewContextAsync(options);
        var other = await operations.NewPageAsync();
        await other.GotoAsync("/portal/invoices/INV-2026-000003");
        await SignIn(other, PortalWorld.OperationsUser, PortalWorld.OperationsPassword);
        await Expect(other.Locator("h1")).ToHaveTextAsync("Invoice INV-2026-000003");
        await Expect(other.Locator("a.download")).ToHaveCountAsync(0);
        Assert.Equal(403, (await operations.APIRequest.GetAsync("/portal/invoices/INV-2026-000003.pdf")).Status);
        Assert.Equal(403, (await operations.APIRequest.GetAsync("/portal/bill-runs/1/invoices.zip")).Status);

        // Operations, signed in, opens the jobs dashboard with the same session.
        await other.GotoAsync("/hangfire");
        Assert.EndsWith("/hangfire", other.Url, StringComparison.Ordinal);
        await Expect(other.Locator("body")).ToContainTextAsync("Billing.Batch jobs");

        // Signing out through the page's own form works.
        await page.ClickAsync("nav button");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sign in");
        Assert.EndsWith("/portal/sign-in", page.Url, StringComparison.Ordinal);
    }

    /// <summary>With BILLING_PORTAL_SCREENSHOTS set to a folder, a picture of the page for a person to look at (README's come from here).</summary>
    private static async Task Snapshot(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("BILLING_PORTAL_SCREENSHOTS") is { Length: > 0 } folder)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"portal-{name}.png"), FullPage = true });
        }
    }

    private static async Task SignIn(IPage page, string name, string password)
    {
        Assert.Contains("/portal/sign-in", page.Url, StringComparison.Ordinal);
        await page.FillAsync("input[name=name]", name);
        await page.FillAsync("input[name=password]", password);
        await page.ClickAsync("form.sign-in button");
        await Expect(page.Locator("nav .who")).ToContainTextAsync(name);
    }
}
