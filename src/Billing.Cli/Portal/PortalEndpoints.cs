using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using Billing.Cli.Commands;
using Billing.Storage;
using Billing.Storage.Dunning;
using Billing.Storage.Invoicing;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using NodaTime;
using NodaTime.Text;

namespace Billing.Cli.Portal;

/// <summary>
/// The finance portal under /portal of <c>billing serve</c>: plain endpoints that read with the stores
/// and answer server-rendered HTML (<see cref="PortalPages"/>), and the downloads (invoice and letter
/// PDFs, a run's ZIP). Every page needs a signed-in user of either role; the downloads need <c>finance</c>.
/// </summary>
public static class PortalEndpoints
{
    private static readonly Lazy<byte[]> Stylesheet = new(() =>
    {
        using var css = Assembly.GetExecutingAssembly().GetManifestResourceStream("portal.css") ?? throw new InvalidOperationException("portal.css is not embedded");
        using var bytes = new MemoryStream();
        css.CopyTo(bytes);
        return bytes.ToArray();
    });

    public static void MapPortal(this WebApplication app, BillingDatabase db, IClock clock)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Every portal answer: no framing, no scripts, forms only to the portal, no caching of customers' data.
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Path.StartsWithSegments("/portal"))
            {
                var h = ctx.Response.Headers;
                h.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
                h.XContentTypeOptions = "nosniff";
                h["Referrer-Policy"] = "same-origin";
                h.CacheControl = "no-store";
            }

            await next(ctx);
        });

        app.MapGet("/portal/portal.css", () => Results.Bytes(Stylesheet.Value, "text/css; charset=utf-8"));
        app.MapSignIn(db);

        var portal = app.MapGroup("/portal").RequireAuthorization(PortalAuth.ViewPolicy);
        portal.MapGet("", () => Results.Redirect("/portal/invoices"));
        portal.MapGet("/invoices", (HttpContext ctx) =>
        {
            var query = InvoiceQuery.From(ctx.Request.Query);
            using var conn = db.Open();
            return PortalPages.Page(ctx, PortalPages.InvoiceList(query, InvoiceStore.Search(conn, query.Search)), "Invoices");
        });
        portal.MapGet("/invoices/{number}", (HttpContext ctx, string number) =>
        {
            using var conn = db.Open();
            var invoice = InvoiceStore.Read(conn, number);
            if (invoice is null)
            {
                return PortalPages.Page(ctx, PortalPages.NotFound($"No issued invoice {number}."), "Invoice not found", StatusCodes.Status404NotFound);
            }

            var page = PortalPages.Invoice(invoice, ReceivablesStore.AllocationsTo(conn, invoice.Id), CreditNoteStore.OfInvoice(conn, invoice.Id),
                InvoiceFiles.Invoice(conn, number), ctx.User.MayDownload());
            return PortalPages.Page(ctx, page, $"Invoice {number}");
        });
        portal.MapGet("/bill-runs", (HttpContext ctx) =>
        {
            using var conn = db.Open();
            return PortalPages.Page(ctx, PortalPages.BillRuns(BillRunStore.Summaries(conn, 100)), "Bill runs");
        });
        portal.MapGet("/bill-runs/{run:long}", (HttpContext ctx, long run) =>
        {
            using var conn = db.Open();
            if (BillRunReport.Read(conn, run) is not { } report)
            {
                return PortalPages.Page(ctx, PortalPages.NotFound($"No bill run #{run}."), "Bill run not found", StatusCodes.Status404NotFound);
            }

            return PortalPages.Page(ctx, PortalPages.BillRun(report, ctx.User.MayDownload()), $"Bill run {report.Run.RunDate:uuuu-MM-dd} (#{run})");
        });
        portal.MapGet("/accounts/{id}", (HttpContext ctx, string id) =>
        {
            using var conn = db.Open();
            if (AccountStatement.Read(conn, id) is not { } statement)
            {
                return PortalPages.Page(ctx, PortalPages.NotFound($"No account {id}."), "Account not found", StatusCodes.Status404NotFound);
            }

            var history = DunningStore.History(conn, id, PortalPages.DunningRowsShown);
            var letters = InvoiceFiles.LettersStored(conn, history.Where(h => h.Letter).Select(h => (h.Invoice!, h.Step!)));
            return PortalPages.Page(ctx, PortalPages.Account(statement, history, letters, ctx.User.MayDownload()), $"Account {id}");
        });
        portal.MapGet("/aging", (HttpContext ctx) =>
        {
            // The date asked for, else today (UTC); one that does not parse is said so, never guessed at.
            var asked = ctx.Request.Query["asOf"].ToString().Trim();
            var parsed = asked.Length is > 0 and <= 10 ? LocalDatePattern.Iso.Parse(asked) : null;
            var asOf = parsed is { Success: true } ? parsed.Value : clock.GetCurrentInstant().InUtc().Date;
            var problem = asked.Length > 0 && parsed is not { Success: true } ? $"'{asked}' is not a date (yyyy-MM-dd): aged on today, {asOf:uuuu-MM-dd}, instead." : null;
            using var conn = db.Open();
            return PortalPages.Page(ctx, PortalPages.Aging(AgingCommands.Read(conn, asOf), problem), $"Aging on {asOf:uuuu-MM-dd}");
        });

        var downloads = app.MapGroup("/portal").RequireAuthorization(PortalAuth.DownloadPolicy).WithMetadata(new DownloadEndpoint());
        downloads.MapGet("/invoices/{number}.pdf", (string number) =>
        {
            // The file is the one the database records for this number: nothing of the request becomes a path.
            using var conn = db.Open();
            return Checked(InvoiceFiles.Invoice(conn, number), $"No PDF of invoice {number}: it is not issued or not rendered yet.",
                $"The PDF of invoice {number} is missing from the document store or differs from what was rendered: render it again (billing invoices render {number}).");
        });
        downloads.MapGet("/letters/{invoice}/{step}.pdf", (string invoice, string step) =>
        {
            using var conn = db.Open();
            return Checked(InvoiceFiles.Letter(conn, invoice, step), $"No letter of invoice {invoice} at step {step}.",
                $"The letter of invoice {invoice} at step {step} is missing from the document store or differs from what was rendered: draw it again (billing dunning letter {invoice} --step {step}).");
        });
        downloads.MapGet("/bill-runs/{run:long}/invoices.zip", async (HttpContext ctx, long run) =>
        {
            await using var conn = await db.OpenAsync(ctx.RequestAborted);
            var found = BillRunStore.Find(conn, run.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (found is null)
            {
                await PortalPages.Refused(StatusCodes.Status404NotFound, $"No bill run #{run}.").ExecuteAsync(ctx);
                return;
            }

            ctx.Response.ContentType = "application/zip";
            ctx.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = $"bill-run-{found.RunDate:uuuu-MM-dd}-invoices.zip" }.ToString();
            // ZipArchive writes each entry's sizes after its data, synchronously (also from DisposeAsync):
            // this response, and only this one, may block its thread while it streams.
            ctx.Features.GetRequiredFeature<IHttpBodyControlFeature>().AllowSynchronousIO = true;
            WriteZip(ctx.Response.Body, InvoiceFiles.OfRun(conn, run));
        });
    }

    /// <summary>
    /// A recorded PDF as the download, or a 404 with <paramref name="notRecorded"/> or <paramref name="changed"/>.
    /// A PDF is a few dozen KiB: read whole and checked against its recorded SHA-256, so a file changed or cut
    /// short in the store is refused rather than sent as the document.
    /// </summary>
    private static IResult Checked(InvoiceFile? file, string notRecorded, string changed)
    {
        if (file is null)
        {
            return PortalPages.Refused(StatusCodes.Status404NotFound, notRecorded);
        }

        return AsRendered(file) is { } bytes
            ? Results.File(bytes, "application/pdf", file.Number + ".pdf")
            : PortalPages.Refused(StatusCodes.Status404NotFound, changed);
    }

    /// <summary>
    /// The file's bytes if they are still those rendered (their SHA-256 as recorded), else null: gone, or changed or cut short
    /// in the store. A PDF is a few dozen KiB, read whole: what is checked is what is sent.
    /// </summary>
    private static byte[]? AsRendered(InvoiceFile file)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file.Path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return Convert.ToHexStringLower(SHA256.HashData(bytes)) == file.Sha256 ? bytes : null;
    }

    /// <summary>
    /// The files as a ZIP written straight to <paramref name="output"/>, one file at a time: memory
    /// stays at one PDF whatever the run's size. PDFs compress themselves, so entries are stored.
    /// An invoice not rendered, or whose file is gone or no longer the one rendered (as the single download
    /// checks it), is left out and listed in MISSING.txt at the end.
    /// </summary>
    public static void WriteZip(Stream output, IEnumerable<(string Number, InvoiceFile? File)> invoices)
    {
        ArgumentNullException.ThrowIfNull(invoices);
        var missing = new List<string>();
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (number, file) in invoices)
        {
            if (file is null || AsRendered(file) is not { } bytes)
            {
                missing.Add(number);
                continue;
            }

            using var target = zip.CreateEntry(file.Number + ".pdf", CompressionLevel.NoCompression).Open();
            target.Write(bytes);
        }

        if (missing.Count > 0)
        {
            using var target = new StreamWriter(zip.CreateEntry("MISSING.txt", CompressionLevel.Optimal).Open());
            target.Write("Issued invoices of the run without their PDF as rendered in the document store (billing invoices render NUMBER):\n" + string.Join('\n', missing) + "\n");
        }
    }
}
