using System.Net;
using System.Text.RegularExpressions;
using Dapper;

namespace Billing.Integration.Tests.Portal;

/// <summary>
/// The portal's aging page and the accounts' dunning history against a real `billing serve`: the world's
/// dunning run of 2027-01-05 (21 days after December's invoices fell due) took the final-notice letter of
/// INV-2026-000002 (B-2, 24.00 left after its 12.00 credit note) and of INV-2026-000003 (B-3, 36.36); then
/// INV-2026-000002 was put on hold (a dispute) and B-3 promised to pay by 2027-01-20. January's invoices
/// (18.00 each) fall due on 2027-01-15.
/// </summary>
[Collection(SharedPortalWorld.Name)]
public sealed partial class PortalDunningTests(PortalWorld fx)
{
    private const string Letter = "/portal/letters/INV-2026-000002/final-notice.pdf";

    private static Uri U(string path) => new(path, UriKind.Relative);

    /// <summary>The text of the table row whose first cell is <paramref name="first"/>: tags dropped, cells one space apart.</summary>
    private static string Row(string page, string first) =>
        Rows(page).FirstOrDefault(r => r.StartsWith(first + " ", StringComparison.Ordinal)) ?? $"(no row starting '{first}')";

    /// <summary>The text of the table row that holds <paramref name="fragment"/>.</summary>
    private static string RowWith(string page, string fragment) =>
        Rows(page).FirstOrDefault(r => r.Contains(fragment, StringComparison.Ordinal)) ?? $"(no row with '{fragment}')";

    private static IEnumerable<string> Rows(string page) =>
        RowPattern().Matches(page).Select(m => string.Join(' ', WebUtility.HtmlDecode(Tags().Replace(m.Value, " ")).Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)));

    [Fact]
    public async Task An_anonymous_request_for_the_aging_page_is_sent_to_sign_in_and_one_for_a_letter_gets_401()
    {
        using var http = fx.Serve.Client();

        using var page = await http.GetAsync(U("/portal/aging?asOf=2027-01-05"));
        using var letter = await http.GetAsync(U(Letter));

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/portal/sign-in?returnUrl=" + Uri.EscapeDataString("/portal/aging?asOf=2027-01-05"), page.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Unauthorized, letter.StatusCode);
    }

    [Fact]
    public async Task An_operations_user_sees_the_aging_page_and_the_dunning_history_without_a_letter_link_and_gets_403_for_the_letter()
    {
        using var http = await fx.SignedIn(PortalWorld.OperationsUser, PortalWorld.OperationsPassword);

        using var aging = await http.GetAsync(U("/portal/aging"));
        var account = await http.GetStringAsync(U("/portal/accounts/B-2"));
        using var letter = await http.GetAsync(U(Letter));

        Assert.Equal(HttpStatusCode.OK, aging.StatusCode);
        Assert.Matches(@"^2027-01-05 letter INV-2026-000002 final-notice taken 21 24\.00 dunning:\d+:final-notice letter PDF \(finance users\)$", Row(account, "2027-01-05 letter"));
        Assert.DoesNotContain(".pdf\"", account, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, letter.StatusCode);
    }

    [Fact]
    public async Task The_aging_page_on_5_January_puts_December_s_debts_in_1_to_30_days_and_January_s_in_current_per_account_and_in_total()
    {
        using var http = await fx.SignedIn(PortalWorld.FinanceUser, PortalWorld.FinancePassword);

        var page = await http.GetStringAsync(U("/portal/aging?asOf=2027-01-05"));

        Assert.Contains("<input name=\"asOf\" type=\"date\" value=\"2027-01-05\">", page, StringComparison.Ordinal);
        // Columns: current, 1–30, 31–60, 61–90, over 90, overdue, total owed.
        Assert.Equal("B-1 GBP 18.00 0.00 0.00 0.00 0.00 0.00 18.00", Row(page, "B-1"));
        Assert.Equal("B-2 GBP 18.00 24.00 0.00 0.00 0.00 24.00 42.00", Row(page, "B-2"));
        Assert.Equal("B-3 GBP 18.00 36.36 0.00 0.00 0.00 36.36 54.36", Row(page, "B-3"));
        Assert.Equal("Total GBP 54.00 60.36 0.00 0.00 0.00 60.36 114.36", Row(page, "Total"));
        Assert.Contains("href=\"/portal/accounts/B-2\"", page, StringComparison.Ordinal);

        var later = await http.GetStringAsync(U("/portal/aging?asOf=2027-02-15"));
        Assert.Equal("Total GBP 0.00 0.00 54.00 60.36 0.00 114.36 114.36", Row(later, "Total")); // January's 31 days past due, December's 62
    }

    [Fact]
    public async Task An_aging_date_that_is_not_a_date_is_said_so_and_today_is_used()
    {
        using var http = await fx.SignedIn(PortalWorld.FinanceUser, PortalWorld.FinancePassword);

        var page = await http.GetStringAsync(U("/portal/aging?asOf=" + Uri.EscapeDataString("<b>soon</b>")));

        Assert.Contains("&#x27;&lt;b&gt;soon&lt;/b&gt;&#x27; is not a date (yyyy-MM-dd): aged on today", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>soon", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_account_page_shows_the_steps_taken_and_skipped_the_dispute_and_the_promise_to_pay_with_a_link_to_the_letter()
    {
        using var http = await fx.SignedIn(PortalWorld.FinanceUser, PortalWorld.FinancePassword);

        var b2 = await http.GetStringAsync(U("/portal/accounts/B-2"));
        var b3 = await http.GetStringAsync(U("/portal/accounts/B-3"));

        Assert.Matches(@"^2027-01-05 letter INV-2026-000002 final-notice taken 21 24\.00 dunning:\d+:final-notice Letter PDF$", Row(b2, "2027-01-05 letter"));
        Assert.Equal("2027-01-05 fee INV-2026-000002 late-fee skipped 21 24.00", Row(b2, "2027-01-05 fee"));
        Assert.Contains($"href=\"{Letter}\"", b2, StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d\d-\d\d held INV-2026-000002 dispute: disputes the roaming charges \(by .+\)$", RowWith(b2, " held "));
        Assert.Matches(@"^\d{4}-\d\d-\d\d paused promise to pay until 2027-01-20 by .+: pays on the 20th$", RowWith(b3, " paused "));
        Assert.Contains("href=\"/portal/letters/INV-2026-000003/final-notice.pdf\"", b3, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_letter_is_served_as_stored_by_invoice_and_step_and_refused_when_unknown()
    {
        using var http = await fx.SignedIn(PortalWorld.FinanceUser, PortalWorld.FinancePassword);
        string stored;
        using (var c = fx.World.Open())
        {
            stored = c.ExecuteScalar<string>("SELECT path FROM documents WHERE kind = 'letter' AND number = 'INV-2026-000002.final-notice'")!;
        }

        using var served = await http.GetAsync(U(Letter));
        using var unknown = await http.GetAsync(U("/portal/letters/INV-2026-000002/suspend.pdf"));
        using var invoiceAsLetter = await http.GetAsync(U("/portal/letters/INV-2026-000003/x.pdf"));

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("application/pdf", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(stored), await served.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("No letter of invoice INV-2026-000002 at step suspend.", (await unknown.Content.ReadAsStringAsync()).Trim());
        Assert.Equal(HttpStatusCode.NotFound, invoiceAsLetter.StatusCode);
    }

    [GeneratedRegex("<tr>.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
