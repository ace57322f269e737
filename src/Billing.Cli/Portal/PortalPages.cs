using System.Globalization;
using System.Security.Claims;
using Billing.Cli.Commands;
using Billing.Core.Accounts;
using Billing.Core.Dunning;
using Billing.Core.Usage;
using Billing.Storage.Dunning;
using Billing.Storage.Invoicing;
using Microsoft.AspNetCore.Antiforgery;
using NodaTime;

namespace Billing.Cli.Portal;

/// <summary>
/// The portal's pages as HTML: every value from the database or the request goes through
/// <see cref="Html.Of"/>, which encodes it. Pages take what the stores read and return markup;
/// they read nothing themselves.
/// </summary>
public static class PortalPages
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] AnyStatus = [""];

    /// <summary>A whole page: the header (navigation, who is signed in, sign-out), the title and the content.</summary>
    public static IResult Page(HttpContext ctx, Html content, string title, int status = StatusCodes.Status200OK)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var user = ctx.User;
        var header = user.Identity?.IsAuthenticated == true
            ? Html.Of($"""
                <nav>
                  <a class="brand" href="/portal/invoices">Billing.Batch · finance</a>
                  <a href="/portal/invoices">Invoices</a>
                  <a href="/portal/bill-runs">Bill runs</a>
                  <a href="/portal/aging">Aging</a>
                  <span class="who">{user.Identity.Name} · {user.FindFirst(ClaimTypes.Role)?.Value}</span>
                  <form method="post" action="{PortalAuth.SignOutPath}">{Token(ctx)}<button type="submit">Sign out</button></form>
                </nav>
                """)
            : Html.Of($"""<nav><span class="brand">Billing.Batch · finance</span></nav>""");
        var page = Html.Of($"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title} · Billing.Batch</title>
            <link rel="stylesheet" href="/portal/portal.css">
            </head>
            <body>
            <header>{header}</header>
            <main>
            <h1>{title}</h1>
            {content}
            </main>
            </body>
            </html>
            """);
        return Results.Content(page.Markup, "text/html; charset=utf-8", null, status);
    }

    /// <summary>A refusal as a short plain page (a forged form, a file that is not there).</summary>
    public static IResult Refused(int status, string message) => Results.Text(message + "\n", "text/plain; charset=utf-8", null, status);

    /// <summary>The hidden antiforgery field every POST form of the portal carries.</summary>
    public static Html Token(HttpContext ctx)
    {
        var tokens = ctx.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(ctx);
        return Html.Of($"""<input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}">""");
    }

    public static Html SignIn(HttpContext ctx, string? returnUrl, string? problem) => Html.Of($"""
        <form method="post" action="{PortalAuth.SignInPath}" class="sign-in">
          {Token(ctx)}
          <input type="hidden" name="returnUrl" value="{PortalAuth.LocalPortalUrl(returnUrl) ?? ""}">
          {(problem is null ? Html.Empty : Html.Of($"""<p class="problem" role="alert">{problem}</p>"""))}
          <label>Name <input name="name" autocomplete="username" required autofocus></label>
          <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
          <button type="submit">Sign in</button>
        </form>
        <p class="hint">No user yet? On the server: <code>billing users add NAME --role finance</code> (the password from standard input or BILLING_PASSWORD).</p>
        """);

    public static Html NotFound(string what) => Html.Of($"""<p class="problem">{what}</p><p><a href="/portal/invoices">Back to the invoices</a></p>""");

    /// <summary>The search form, the page of invoices found and the pager.</summary>
    public static Html InvoiceList(InvoiceQuery query, InvoicePage found)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(found);
        var s = query.Search;
        var statuses = Html.Join(AnyStatus.Concat(InvoiceSearch.Statuses).Select(v => Option(v, v == "" ? "any" : v, s.Status ?? "")));
        var sorts = Html.Join(InvoiceQuery.Sorts.Select(x => Option(x.Key, x.Label, query.SortKey)));
        var rows = Html.Join(found.Invoices.Select(i => Html.Of($"""
            <tr>
              <td>{InvoiceLink(i.Number)}</td>
              <td><a href="/portal/accounts/{Uri.EscapeDataString(i.AccountId)}">{i.AccountId}</a></td>
              <td class="text">{i.AccountName}</td>
              <td>{Period(i.CycleStart, i.CycleEnd)}</td>
              <td>{Iso(i.IssueDate)}</td>
              <td>{Iso(i.DueDate)}</td>
              <td><span class="status {StatusOf(i)}">{StatusOf(i)}</span></td>
              <td class="num">{Amount(i.Total, i.Currency)} {i.Currency}</td>
              <td class="num">{Amount(i.AmountDue, i.Currency)}</td>
              <td class="num">{(i.Outstanding is { } o ? Amount(o, i.Currency) : "")}</td>
            </tr>
            """)));
        var first = found.Matching == 0 ? 0 : s.Offset + 1;
        var last = s.Offset + found.Invoices.Count;
        var lastPage = (int)Math.Min(int.MaxValue / InvoiceQuery.PageSize, (found.Matching + InvoiceQuery.PageSize - 1) / InvoiceQuery.PageSize);
        // A page past the last (an old link, an edited URL) shows none of the invoices that match: it says so, not "101–100 of 3".
        var none = found.Matching == 0 ? Html.Of($"""<p class="empty">No invoice matches.</p>""")
            : Html.Of($"""<p class="empty">Page {query.Page:N0} is past the last: {found.Matching:N0} invoice(s) match, on {(lastPage == 1 ? "page 1" : $"pages 1–{lastPage:N0}")}. <a href="{query.Url(lastPage)}">The last page</a></p>""");
        var pager = found.Invoices.Count == 0 ? Html.Empty : Html.Of($"""
            <p class="pager">
              {(query.Page > 1 ? Html.Of($"""<a rel="prev" href="{query.Url(query.Page - 1)}">← Previous</a>""") : Html.Empty)}
              <span>Showing {first:N0}–{last:N0} of {found.Matching:N0}</span>
              {(last < found.Matching ? Html.Of($"""<a rel="next" href="{query.Url(query.Page + 1)}">Next →</a>""") : Html.Empty)}
            </p>
            """);
        return Html.Of($"""
            <form method="get" action="/portal/invoices" class="search">
              <label>Number <input name="number" value="{s.Number}" placeholder="INV-2026-"></label>
              <label>Account <input name="account" value="{s.Account}"></label>
              <label>Customer <input name="name" value="{s.Name}"></label>
              <label>Period ends in <input name="period" type="month" value="{query.PeriodText}"></label>
              <label>Status <select name="status">{statuses}</select></label>
              <label>Sort <select name="sort">{sorts}</select></label>
              {(s.RunId is { } run ? Html.Of($"""<input type="hidden" name="run" value="{run}">""") : Html.Empty)}
              <button type="submit">Search</button>
            </form>
            {(query.Problem is { } p ? Html.Of($"""<p class="problem">{p}</p>""") : Html.Empty)}
            {(s.RunId is { } r ? Html.Of($"""<p>Invoices of <a href="/portal/bill-runs/{r}">bill run #{r}</a>. <a href="/portal/invoices">All invoices</a></p>""") : Html.Empty)}
            {(found.Invoices.Count == 0 ? none : Html.Of($"""
            <table class="invoices">
              <thead><tr><th>Number</th><th>Account</th><th>Customer</th><th>Period</th><th>Issued</th><th>Due</th><th>Status</th><th class="num">Total</th><th class="num">Amount due</th><th class="num">Outstanding</th></tr></thead>
              <tbody>{rows}</tbody>
            </table>
            """))}
            {pager}
            """);
    }

    /// <summary>One invoice: summary, lines, taxes, what settled it, its credit notes and its PDF.</summary>
    public static Html Invoice(StoredInvoice i, IReadOnlyList<AllocationEntry> settled, IReadOnlyList<StoredCreditNote> credits, InvoiceFile? pdf, bool mayDownload)
    {
        ArgumentNullException.ThrowIfNull(i);
        ArgumentNullException.ThrowIfNull(settled);
        ArgumentNullException.ThrowIfNull(credits);
        var c = i.Currency;
        var lines = Html.Join(i.Lines.Select(l => Html.Of($"""
            <tr><td>{l.LineNo}</td><td>{l.Kind}</td><td class="text">{l.Description}</td><td>{(l.Msisdn is { } m ? "+" + m : "")}</td><td class="num">{Quantity(l)}</td><td>{Period(l.PeriodStart, l.PeriodEnd)}</td><td>{l.TaxCategory}</td><td class="num">{Amount(l.Amount, c)}</td></tr>
            """)));
        var taxes = Html.Join(i.Taxes.Select(t => Html.Of($"""
            <tr><td>{t.Name}</td><td>{t.Category}</td><td class="num">{(t.Rate * 100m).ToString("0.##", Inv)} %</td><td class="num">{Amount(t.Base, c)}</td><td class="num">{Amount(t.Amount, c)}</td></tr>
            """)));
        var allocations = Html.Join(settled.Select(a => Html.Of($"""
            <tr><td>{a.Source}</td><td>{a.SourceReference}</td><td>{a.At.InUtc().ToString("uuuu-MM-dd HH:mm", Inv)} UTC</td><td class="num">{Amount(a.Amount, c)}</td></tr>
            """)));
        var notes = Html.Join(credits.Select(n => Html.Of($"""
            <tr><td>{n.Number}</td><td>{Iso(n.IssueDate)}</td><td class="text">{n.Reason}</td><td class="num">{Amount(n.Subtotal, c)}</td><td class="num">{Amount(n.Tax, c)}</td><td class="num">{Amount(n.Total, c)}</td><td>{n.CreatedBy}</td></tr>
            """)));
        var document = !mayDownload ? Html.Of($"""<p class="hint">PDFs are downloaded by finance users.</p>""")
            : pdf is null ? Html.Of($"""<p class="hint">No PDF rendered yet: <code>billing invoices render {i.Number}</code>.</p>""")
            : Html.Of($"""<p><a class="download" href="/portal/invoices/{Uri.EscapeDataString(i.Number ?? "")}.pdf" download>Download PDF</a> <span class="hint">{Size(pdf.SizeBytes)}</span></p>""");
        return Html.Of($"""
            <section class="head">
              <dl>
                <dt>Account</dt><dd><a href="/portal/accounts/{Uri.EscapeDataString(i.AccountId)}">{i.AccountId}</a> · {i.AccountName}</dd>
                <dt>Period</dt><dd>{Period(i.CycleStart, i.CycleEnd)}</dd>
                <dt>Issued</dt><dd>{Iso(i.IssueDate)}</dd>
                <dt>Due</dt><dd>{Iso(i.DueDate)}</dd>
                <dt>Status</dt><dd><span class="status {StatusOf(i)}">{StatusOf(i)}</span></dd>
                <dt>Bill run</dt><dd>{(i.RunId is { } r ? Html.Of($"""<a href="/portal/bill-runs/{r}">#{r}</a>""") : Html.Of($"-"))}</dd>
              </dl>
              <table class="summary">
                <tr><th>Previous balance</th><td class="num">{Amount(i.PreviousBalance, c)}</td></tr>
                <tr><th>Payments and credits</th><td class="num">{Amount(-i.PaymentsAndCredits, c)}</td></tr>
                <tr><th>Current charges</th><td class="num">{Amount(i.Subtotal, c)}</td></tr>
                <tr><th>Tax</th><td class="num">{Amount(i.Tax, c)}</td></tr>
                <tr><th>Total of this invoice</th><td class="num">{Amount(i.Total, c)}</td></tr>
                <tr class="due"><th>Amount due by {Iso(i.DueDate)}</th><td class="num">{Amount(i.AmountDue, c)} {c}</td></tr>
                {(i.Outstanding is { } o ? Html.Of($"""<tr><th>Of this invoice still outstanding</th><td class="num">{Amount(o, c)}</td></tr>""") : Html.Empty)}
              </table>
            </section>
            {document}
            <h2>Lines</h2>
            <table><thead><tr><th>#</th><th>Kind</th><th>Description</th><th>Number</th><th class="num">Quantity</th><th>Period</th><th>Tax</th><th class="num">Amount {c}</th></tr></thead><tbody>{lines}</tbody></table>
            <h2>Taxes</h2>
            <table><thead><tr><th>Tax</th><th>Category</th><th class="num">Rate</th><th class="num">Base</th><th class="num">Amount</th></tr></thead><tbody>{taxes}</tbody></table>
            <h2>Payments and credits against it</h2>
            {(settled.Count == 0 ? Html.Of($"""<p class="empty">None yet.</p>""") : Html.Of($"""<table><thead><tr><th>From</th><th>Reference</th><th>Allocated</th><th class="num">Amount</th></tr></thead><tbody>{allocations}</tbody></table>"""))}
            <h2>Credit notes</h2>
            {(credits.Count == 0 ? Html.Of($"""<p class="empty">None.</p>""") : Html.Of($"""<table><thead><tr><th>Number</th><th>Issued</th><th>Reason</th><th class="num">Net</th><th class="num">Tax</th><th class="num">Total</th><th>By</th></tr></thead><tbody>{notes}</tbody></table>"""))}
            """);
    }

    public static Html BillRuns(IReadOnlyList<BillRunSummary> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0)
        {
            return Html.Of($"""<p class="empty">No bill runs yet: <code>billing bill-run DATE</code> makes one (serve also drafts one every day).</p>""");
        }

        var rows = Html.Join(runs.Select(r => Html.Of($"""
            <tr><td><a href="/portal/bill-runs/{r.Id}">#{r.Id}</a></td><td><a href="/portal/bill-runs/{r.Id}">{Iso(r.RunDate)}</a></td><td>{Period(Billing.Core.Cycles.BillCycle.EndingOn(r.RunDate).Start, r.RunDate)}</td><td class="num">{r.Drafts:N0}</td><td class="num">{r.Issued:N0}</td><td>{r.CreatedBy}</td></tr>
            """)));
        return Html.Of($"""
            <table><thead><tr><th>Run</th><th>Date</th><th>Cycle</th><th class="num">Drafts</th><th class="num">Issued</th><th>Created by</th></tr></thead><tbody>{rows}</tbody></table>
            """);
    }

    /// <summary>How many of a run's invoices the page lists (the invoice list pages through all of them).</summary>
    public const int RunInvoicesShown = 100;

    /// <summary>A run's report: where it stands, totals against the previous cycle, warnings and errors, its invoices, and its PDFs as a ZIP.</summary>
    public static Html BillRun(BillRunReport report, bool mayDownload)
    {
        ArgumentNullException.ThrowIfNull(report);
        var run = report.Run;
        var totals = Html.Join(report.Totals.Select(t => Html.Of($"""
            <tr><td>{t.Currency}</td><td>{t.Status}</td><td class="num">{t.Invoices:N0}</td><td class="num">{Amount(t.Subtotal, t.Currency)}</td><td class="num">{Amount(t.Tax, t.Currency)}</td><td class="num">{Amount(t.Total, t.Currency)}</td><td class="num">{Amount(t.AmountDue, t.Currency)}</td>
                <td class="num">{(t.WithPrevious == 0 ? "" : Amount(t.Previous, t.Currency))}</td><td class="num">{(t.WithPrevious == 0 ? "" : Signed(t.Change, t.Currency))}</td></tr>
            """)));
        var notes = Html.Join(report.Invoices.SelectMany(i =>
            BillRunReport.Messages(i.Warnings).Select(w => Html.Of($"""<li class="warning"><a href="/portal/accounts/{Uri.EscapeDataString(i.AccountId)}">{i.AccountId}</a>: {w}</li>"""))
            .Concat(BillRunReport.Messages(i.Errors).Select(e => Html.Of($"""<li class="error"><a href="/portal/accounts/{Uri.EscapeDataString(i.AccountId)}">{i.AccountId}</a>: {e} (not issued until fixed)</li>""")))));
        var rows = Html.Join(report.Invoices.Take(RunInvoicesShown).Select(i => Html.Of($"""
            <tr><td><a href="/portal/accounts/{Uri.EscapeDataString(i.AccountId)}">{i.AccountId}</a></td><td class="text">{i.Name}</td><td><span class="status {i.Status}">{i.Status}{(i.ChangedSinceDraft ? " (changed)" : "")}</span></td><td>{InvoiceLink(i.Number)}</td>
                <td class="num">{Amount(i.Total, i.Currency)} {i.Currency.Trim()}</td><td class="num">{Amount(i.AmountDue, i.Currency)}</td><td class="num">{(i.PreviousTotal is { } p ? Amount(p, i.Currency) : "")}</td><td class="num">{(i.PreviousTotal is { } q ? Signed(i.Total - q, i.Currency) : "")}</td></tr>
            """)));
        var zip = !mayDownload ? Html.Of($"""<p class="hint">PDFs are downloaded by finance users.</p>""")
            : !report.Invoices.Any(i => i.Status == "issued") ? Html.Of($"""<p class="hint">No issued invoices in this run yet, so no PDFs.</p>""")
            : Html.Of($"""<p><a class="download" href="/portal/bill-runs/{run.Id}/invoices.zip" download>Download the run's invoice PDFs as a ZIP</a> <span class="hint">(invoices not rendered yet are listed in its MISSING.txt: <code>billing invoices render --run {Iso(run.RunDate)}</code> renders them)</span></p>""");
        return Html.Of($"""
            <p>Cycles {Period(report.Cycle.Start, report.Cycle.End)} of accounts with cycle day {run.RunDate.Day}; <span class="status {report.Status}">{report.Status}</span>;
               {report.Drafted}/{report.Batches} batch(es) drafted, {report.Approved} approved. Created by {run.CreatedBy}.</p>
            {zip}
            <h2>Totals</h2>
            {(report.Totals.Count == 0 ? Html.Of($"""<p class="empty">No invoices in this run.</p>""") : Html.Of($"""
            <table><thead><tr><th>Currency</th><th>Status</th><th class="num">Invoices</th><th class="num">Subtotal</th><th class="num">Tax</th><th class="num">Total</th><th class="num">Amount due</th><th class="num" title="the previous cycle's totals of the invoices that had one">Previous cycle</th><th class="num" title="this cycle's totals less the previous, over the invoices that have both">Difference</th></tr></thead><tbody>{totals}</tbody></table>
            """))}
            <h2>Warnings and errors</h2>
            {(notes.Markup.Length == 0 ? Html.Of($"""<p class="empty">None.</p>""") : Html.Of($"""<ul class="notes">{notes}</ul>"""))}
            <h2>Invoices</h2>
            <p><a href="/portal/invoices?run={run.Id}">Search this run's {report.Invoices.Count:N0} invoice(s)</a>{(report.Invoices.Count > RunInvoicesShown ? $" (the first {RunInvoicesShown} by account below)" : "")}</p>
            {(report.Invoices.Count == 0 ? Html.Empty : Html.Of($"""
            <table><thead><tr><th>Account</th><th>Customer</th><th>Status</th><th>Number</th><th class="num">Total</th><th class="num">Amount due</th><th class="num">Previous</th><th class="num">Change</th></tr></thead><tbody>{rows}</tbody></table>
            """))}
            """);
    }

    /// <summary>How many rows of an account's dunning history its page shows, newest first.</summary>
    public const int DunningRowsShown = 200;

    /// <summary>How many accounts the aging page lists (the totals are over all of them).</summary>
    public const int AgingAccountsShown = 1000;

    /// <summary>
    /// The aging report (<see cref="AgingCommands.Read"/>, as `billing aging` prints it): the as-of date field,
    /// the totals per currency, then each account's amounts by days past due.
    /// </summary>
    public static Html Aging(AgingReport report, string? problem)
    {
        ArgumentNullException.ThrowIfNull(report);
        var heads = Html.Join(Billing.Core.Dunning.Aging.Buckets.Select(b => Html.Of($"""<th class="num">{BucketLabel(b)}</th>""")));
        Html Row(AgingLine l, Html first) => Html.Of($"""
            <tr><td>{first}</td><td>{l.Currency}</td>{Html.Join(Billing.Core.Dunning.Aging.Buckets.Select(b => Html.Of($"""<td class="num">{Amount(l.Buckets[b], l.Currency)}</td>""")))}<td class="num">{Amount(l.Overdue, l.Currency)}</td><td class="num">{Amount(l.Total, l.Currency)}</td></tr>
            """);
        var totals = Html.Join(report.Totals.Select(t => Row(t, Html.Of($"<strong>Total</strong>"))));
        var accounts = Html.Join(report.Accounts.Take(AgingAccountsShown).Select(a => Row(a, Html.Of($"""<a href="/portal/accounts/{Uri.EscapeDataString(a.AccountId)}">{a.AccountId}</a>"""))));
        var table = (Html rows) => Html.Of($"""
            <table><thead><tr><th>Account</th><th>Currency</th>{heads}<th class="num">Overdue</th><th class="num">Total owed</th></tr></thead><tbody>{rows}</tbody></table>
            """);
        return Html.Of($"""
            <form method="get" action="/portal/aging" class="search">
              <label>As of <input name="asOf" type="date" value="{Iso(report.AsOf)}"></label>
              <button type="submit">Age</button>
            </form>
            {(problem is null ? Html.Empty : Html.Of($"""<p class="problem">{problem}</p>"""))}
            <p class="hint">What issued invoices still owe on {Iso(report.AsOf)}, by days past their due date; disputed invoices included. The same figures as <code>billing aging --as-of {Iso(report.AsOf)}</code>.</p>
            {(report.Accounts.Count == 0 ? Html.Of($"""<p class="empty">Nothing is owed.</p>""") : Html.Of($"""
            <h2>Totals</h2>
            {table(totals)}
            <h2>Accounts ({report.Accounts.Count:N0} owing{(report.Accounts.Count > AgingAccountsShown ? $", the first {AgingAccountsShown:N0} by account shown; billing aging --json lists all" : "")})</h2>
            {table(accounts)}
            """))}
            """);
    }

    private static string BucketLabel(AgingBucket b) => b switch
    {
        AgingBucket.Current => "Current",
        AgingBucket.Over90 => "Over 90 days",
        _ => b.Code() + " days",
    };

    /// <summary>An account with its statement: ledger, allocations, open balance and unallocated credit; and its dunning history with its letters.</summary>
    public static Html Account(AccountStatement s, IReadOnlyList<DunningHistoryRow> dunning, IReadOnlySet<(string Invoice, string Step)> letters, bool mayDownload)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(dunning);
        ArgumentNullException.ThrowIfNull(letters);
        var a = s.Account;
        var c = s.Currency;
        var ledger = Html.Join(s.Entries.Select(e => Html.Of($"""
            <tr><td>{Iso(e.Date)}</td><td>{e.Kind}</td><td>{(e.Kind == "invoice" ? InvoiceLink(e.Reference) : Html.Of($"{e.Reference}"))}</td><td>{(e.Invoice is { } n && e.Kind != "invoice" ? InvoiceLink(n) : Html.Empty)}</td><td class="num">{Amount(e.Amount, c)}</td><td class="num">{(e.Outstanding is { } o ? Amount(o, c) : "")}</td></tr>
            """)));
        var allocations = Html.Join(s.Allocations.Select(x => Html.Of($"""
            <tr><td>{x.Source}</td><td>{x.SourceReference}</td><td>{InvoiceLink(x.Invoice)}</td><td class="num">{Amount(x.Amount, c)}</td></tr>
            """)));
        var balance = s.OpenBalance > 0m ? $"{Amount(s.OpenBalance, c)} {c} owed" : s.OpenBalance < 0m ? $"{Amount(-s.OpenBalance, c)} {c} in credit" : "0 — nothing owed";
        return Html.Of($"""
            <section class="head">
              <dl>
                <dt>Customer</dt><dd>{a.Name}</dd>
                <dt>Billing address</dt><dd>{a.BillingAddress}</dd>
                <dt>Currency</dt><dd>{c}</dd>
                <dt>Payment</dt><dd>{a.PaymentType.Code()}, cycle day {a.BillCycleDay}, {a.TimeZone.Id}</dd>
              </dl>
              <table class="summary">
                <tr class="due"><th>Open balance</th><td class="num">{balance}</td></tr>
                <tr><th>Unallocated credit</th><td class="num">{Amount(s.UnallocatedCredit, c)}</td></tr>
              </table>
            </section>
            <p><a href="/portal/invoices?account={Uri.EscapeDataString(a.Id)}">All invoices of {a.Id}, drafts included</a></p>
            <h2>Statement</h2>
            {(s.Entries.Count == 0 ? Html.Of($"""<p class="empty">No invoices, credit notes or payments yet.</p>""") : Html.Of($"""
            <table><thead><tr><th>Date</th><th>Kind</th><th>Reference</th><th>For invoice</th><th class="num">Amount {c}</th><th class="num">Outstanding</th></tr></thead><tbody>{ledger}</tbody></table>
            """))}
            <h2>Allocations (what settles what)</h2>
            {(s.Allocations.Count == 0 ? Html.Of($"""<p class="empty">None.</p>""") : Html.Of($"""
            <table><thead><tr><th>From</th><th>Reference</th><th>To invoice</th><th class="num">Amount</th></tr></thead><tbody>{allocations}</tbody></table>
            """))}
            <h2 id="dunning">Dunning</h2>
            {Dunning(a.Id, dunning, letters, mayDownload)}
            """);
    }

    /// <summary>The account's dunning history, newest first: steps taken and skipped, fees, suspensions, reactivations, promises to pay, disputes, and its letters.</summary>
    private static Html Dunning(string account, IReadOnlyList<DunningHistoryRow> rows, IReadOnlySet<(string Invoice, string Step)> letters, bool mayDownload)
    {
        if (rows.Count == 0)
        {
            return Html.Of($"""<p class="empty">Nothing yet: no dunning step, suspension, promise to pay or dispute.</p>""");
        }

        Html Letter(DunningHistoryRow h) =>
            !h.Letter ? Html.Empty
            : !letters.Contains((h.Invoice!, h.Step!)) ? Html.Of($"""<span class="hint">letter not rendered: <code>billing dunning letter {h.Invoice} --step {h.Step}</code></span>""")
            : !mayDownload ? Html.Of($"""<span class="hint">letter PDF (finance users)</span>""")
            : Html.Of($"""<a class="download" href="/portal/letters/{Uri.EscapeDataString(h.Invoice!)}/{Uri.EscapeDataString(h.Step!)}.pdf" download>Letter PDF</a>""");
        var body = Html.Join(rows.Select(h => Html.Of($"""
            <tr><td>{Iso(h.Date)}</td><td>{h.Event}</td><td>{(h.Invoice is { } n ? InvoiceLink(n) : Html.Empty)}</td><td>{h.Step}</td><td>{h.Outcome}</td><td class="num">{h.DaysPastDue}</td>
                <td class="num">{(h.Overdue is { } o && h.Currency is { } c ? Amount(o, c) : "")}</td><td class="num">{(h.Fee is { } f && h.Currency is { } fc ? Amount(f, fc) : "")}</td><td class="text">{h.Detail}</td><td>{Letter(h)}</td></tr>
            """)));
        return Html.Of($"""
            <p class="hint">Newest first{(rows.Count == DunningRowsShown ? $", the latest {DunningRowsShown}; billing dunning history --account {account} lists all" : "")}.</p>
            <table><thead><tr><th>Date</th><th>Event</th><th>Invoice</th><th>Step</th><th>Outcome</th><th class="num">Days past due</th><th class="num">Overdue</th><th class="num">Fee</th><th>Detail</th><th>Letter</th></tr></thead><tbody>{body}</tbody></table>
            """);
    }

    private static Html Option(string value, string label, string selected) =>
        value == selected ? Html.Of($"""<option value="{value}" selected>{label}</option>""") : Html.Of($"""<option value="{value}">{label}</option>""");

    private static Html InvoiceLink(string? number) =>
        number is null ? Html.Of($"""<span class="hint">(draft)</span>""") : Html.Of($"""<a href="/portal/invoices/{Uri.EscapeDataString(number)}">{number}</a>""");

    private static string StatusOf(StoredInvoice i) => i.Outstanding switch
    {
        null => "draft",
        > 0m => "unpaid",
        _ => "paid",
    };

    private static string Amount(decimal amount, string currency) => BillRunCommands.Amount(amount, currency);

    private static string Signed(decimal amount, string currency) => (amount >= 0m ? "+" : "") + Amount(amount, currency);

    private static string Size(long bytes) => bytes < 1024 ? $"{bytes} B" : (bytes / 1024.0).ToString("0.#", Inv) + " KiB";

    private static string Quantity(StoredInvoiceLine l) => InvoiceCommands.Quantity(l);

    private static string Period(LocalDate from, LocalDate toExclusive) => InvoiceCommands.Period(from, toExclusive);

    private static string Iso(LocalDate d) => d.ToString("uuuu-MM-dd", Inv);
}
