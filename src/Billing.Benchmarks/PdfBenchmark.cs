using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Billing.Core.Documents;
using Billing.Core.Invoicing;
using Billing.Core.Usage;
using Billing.Documents;
using Billing.Jobs.Documents;
using Billing.Storage;
using Billing.Storage.Documents;
using Dapper;
using NodaTime;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Billing.Benchmarks;

public sealed record PdfBenchSettings(int Invoices, int Records, int Workers, bool ReuseData, int Repeat = 1, bool PeopleNames = false);

/// <summary>
/// One timed phase: invoices per second, the peak working set and managed heap while it ran, what it allocated per
/// invoice and the collections that caused, and the CPU seconds it took in this process and in PostgreSQL.
/// </summary>
public sealed record PdfPhase(decimal Seconds, decimal InvoicesPerSecond, decimal PeakWorkingSetMegabytes, decimal PeakGcHeapMegabytes,
    decimal AllocatedKilobytesPerInvoice, int Gen0, int Gen2, CpuSeconds Cpu, decimal GcPauseSeconds);

/// <summary>
/// One round: the render end to end and, right after it, the floor; the render's thread-seconds loading, drawing and writing,
/// and how many font programs its documents got from earlier documents and how many PDFsharp made (the floor makes all of its own).
/// </summary>
public sealed record PdfRound(PdfPhase EndToEnd, PdfPhase Floor, decimal LoadSeconds, decimal DrawSeconds, decimal WriteSeconds, long FontProgramsReused, long FontProgramsMade)
{
    public decimal Ratio => Floor.InvoicesPerSecond == 0m ? 0m : Math.Round(EndToEnd.InvoicesPerSecond / Floor.InvoicesPerSecond, 3, MidpointRounding.AwayFromZero);
}

public sealed record PdfBenchResult(
    PdfBenchSettings Settings,
    BillRunGeneration Generation,
    decimal BillRunSeconds,
    IReadOnlyList<PdfRound> Rounds,
    long Bytes,
    decimal AveragePages,
    decimal FloorAveragePages,
    string Folder)
{
    /// <summary>The median of the rounds' ratios (of an even number, the mean of the middle two).</summary>
    public decimal MedianRatio => BenchStats.Median(Rounds.Select(r => r.Ratio), 3);
}

/// <summary>
/// `billing bench pdf`: N postpaid accounts with R rated usage records each are generated and billed
/// by the real bill run (<see cref="BillRunBenchmark"/>); their issued invoices are then rendered end
/// to end (load from PostgreSQL, draw, write the file atomically, record size and SHA-256) by the render
/// job on <c>workers</c> threads. The floor draws the same number of pages with the same text — header,
/// summary, lines, annex rows with their headers, footers — straight onto PDFsharp pages saved to
/// memory: no logo, chart, rules or bands, no data access, no layout decisions, no files. Prints
/// measured figures only.
/// </summary>
public static class PdfBenchmark
{
    public static PdfBenchResult Run(BillingDatabase db, RenderDocumentsJob job, PdfBenchSettings s, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(progress);

        var billed = Stopwatch.StartNew();
        var bill = BillRunBenchmark.Run(db, new BillRunBenchSettings(s.Invoices, s.Records, s.Workers, 1, 1000, s.ReuseData, s.PeopleNames), progress);
        billed.Stop();

        IReadOnlyList<string> numbers;
        using (var conn = db.Open())
        {
            numbers = conn.Query<string>("SELECT number FROM invoices WHERE status = 'issued' ORDER BY number").AsList();
        }

        // The previous run's documents are moved aside now and deleted after the timed rounds: on an ext4 without a journal,
        // as here, files created next to many just deleted cost far more to create (see docs/benchmarks.md).
        var aside = $"{job.Folder.Root}.previous-{Environment.ProcessId}";
        if (Directory.Exists(job.Folder.Root))
        {
            Directory.Move(job.Folder.Root, aside);
        }

        // Each phase draws one invoice untimed first, so neither pays for compiling PDFsharp's code paths
        // (the program runs without tiered compilation: the first render costs about half a second).
        if (numbers.Count > 0)
        {
            job.RenderOne(numbers[0]);
        }

        // The floor draws what the documents show; they are loaded first (a sample, cycled), outside the timing.
        List<InvoiceDocument> sample;
        using (var conn = db.Open())
        {
            sample = [.. DocumentStore.LoadInvoices(conn, [.. numbers.Take(Math.Min(numbers.Count, 500))], annex: true)];
        }

        var floor = new Floor(job.Template);
        if (sample.Count > 0)
        {
            floor.Draw(sample[0]);
        }

        // Each round renders into a folder of its own, for the same reason: no round's files are deleted before the last.
        var rounds = new List<PdfRound>();
        RenderDocumentsJob last = job;
        long floorPages = 0;
        for (var round = 1; round <= s.Repeat; round++)
        {
            using (var conn = db.Open())
            {
                conn.Execute("TRUNCATE documents, notifications"); // together: a message may name a document (its attachment)
            }

            last = job.WithFolder(new DocumentFolder(Path.Combine(job.Folder.Root, $"round-{round}"))).WithWorkers(s.Workers);
            progress($"Round {round} of {s.Repeat}: rendering {numbers.Count:N0} invoices end to end on {s.Workers} worker(s) into {last.Folder.Root} …");
            // As `billing invoices render --run` renders a run: one render, its chunks loaded one ahead, drawn on the workers.
            RenderOutcome outcome = null!;
            var programs = job.Renderer.FontProgramCounts;
            var endToEnd = Timed(db, numbers.Count, () => outcome = last.Render(numbers, []));
            var programsAfter = job.Renderer.FontProgramCounts;

            progress($"Round {round} of {s.Repeat}: drawing the floor: the same {numbers.Count:N0} invoices' pages and text straight onto PDFsharp pages in memory …");
            var next = -1;
            floorPages = 0;
            var drawn = Timed(db, numbers.Count, () => InWorkers(s.Workers, () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < numbers.Count)
                {
                    Interlocked.Add(ref floorPages, floor.Draw(sample[i % sample.Count]));
                }
            }));
            rounds.Add(new PdfRound(endToEnd, drawn, Math.Round((decimal)outcome.LoadSeconds, 2), Math.Round((decimal)outcome.DrawSeconds, 2), Math.Round((decimal)outcome.WriteSeconds, 2),
                programsAfter.Reused - programs.Reused, programsAfter.Made - programs.Made));
        }

        long bytes;
        using (var conn = db.Open())
        {
            bytes = conn.ExecuteScalar<long>("SELECT coalesce(sum(size_bytes), 0)::bigint FROM documents"); // the last round's
        }

        var pages = sample.Count == 0 ? 0m : Math.Round((decimal)sample.Take(50).Average(d => Pages(File.ReadAllBytes(last.Folder.PathOf(DocumentKind.Invoice, d.Number)))), 2);
        // The last round's files stay (they are what the documents table records); the rounds' before go, and what earlier
        // runs left (moved aside above, or by a run killed before it got here).
        for (var round = 1; round < s.Repeat; round++)
        {
            Directory.Delete(Path.Combine(job.Folder.Root, $"round-{round}"), recursive: true);
        }

        foreach (var earlier in Directory.EnumerateDirectories(Path.GetDirectoryName(job.Folder.Root)!, $"{Path.GetFileName(job.Folder.Root)}.previous-*"))
        {
            Directory.Delete(earlier, recursive: true);
        }

        return new PdfBenchResult(s, bill.Generation, Math.Round((decimal)billed.Elapsed.TotalSeconds, 2), rounds, bytes, pages,
            Math.Round(floorPages / (decimal)Math.Max(numbers.Count, 1), 2), last.Folder.Root);
    }

    private static int Pages(byte[] pdf)
    {
        var text = System.Text.Encoding.Latin1.GetString(pdf);
        var at = text.IndexOf("/Type/Pages", StringComparison.Ordinal);
        var count = text.IndexOf("/Count ", at, StringComparison.Ordinal) + 7;
        var end = count;
        while (char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return int.Parse(text.AsSpan(count, end - count), CultureInfo.InvariantCulture);
    }

    private static PdfPhase Timed(BillingDatabase db, int invoices, Action phase)
    {
        var m = PhaseMeasure.Of(db, phase);
        return new PdfPhase(Math.Round(m.Seconds, 2), Math.Round(invoices / m.Seconds, MidpointRounding.AwayFromZero),
            Math.Round(m.PeakWorkingSet / 1048576m, 1), Math.Round(m.PeakGcHeap / 1048576m, 1),
            Math.Round(m.Allocated / 1024m / Math.Max(invoices, 1), 1, MidpointRounding.AwayFromZero), m.Gen0, m.Gen2, m.Cpu, Math.Round((decimal)m.GcPause.TotalSeconds, 2, MidpointRounding.AwayFromZero));
    }

    private static void InWorkers(int workers, Action work) =>
        Task.WaitAll([.. Enumerable.Range(0, workers).Select(_ => Task.Factory.StartNew(work, TaskCreationOptions.LongRunning))]);

    /// <summary>The same text and shapes as the invoice, at fixed places: page 1 the letterhead, summary, chart bars and lines; then the annex rows, a page at a time.</summary>
    private sealed class Floor
    {
        private readonly InvoiceTemplate _template;
        private readonly XFont _body = new(DocumentFonts.Family, 8);
        private readonly XFont _bold = new(DocumentFonts.Family, 8, XFontStyleEx.Bold);
        private readonly XFont _title = new(DocumentFonts.Family, 20, XFontStyleEx.Bold);

        public Floor(InvoiceTemplate template) => _template = template;

        /// <summary>Draws the document's pages and saves them to memory; returns the number of pages.</summary>
        public int Draw(InvoiceDocument d)
        {
            var l = _template.Language(d.Customer.Language);
            using var pdf = new PdfDocument();
            DocumentSettings.Apply(pdf);
            var page = NewPage(pdf);
            var g = XGraphics.FromPdfPage(page);
            var y = 40.0;
            void Put(string text, XFont font, double x)
            {
                g.DrawString(text, font, XBrushes.Black, new XRect(x, y, 200, 10), XStringFormats.TopLeft);
            }

            Put(_template.Value("operator"), _bold, 42);
            Put(l["title.invoice"], _title, 400);
            foreach (var line in _template.AddressLines.Concat([d.Number, l["bill-to"], d.Customer.Name]).Concat(d.Customer.AddressLines))
            {
                y += 10;
                Put(line, _body, 42);
            }

            var period = $"{l.Date(d.PeriodStart)} – {l.Date(d.PeriodEnd)}";
            foreach (var (label, value) in new[]
            {
                (l["number.invoice"], d.Number), (l["issue-date"], l.Date(d.IssueDate)), (l["due-date"], l.Date(d.DueDate)),
                (l["account"], d.Customer.AccountId), (l["period"], period),
            })
            {
                y += 10;
                Put(label, _body, 300);
                Put(value, _body, 400);
            }

            var sm = d.Summary;
            y += 12;
            Put($"{l["summary"]} ({d.Currency})", _bold, 300);
            foreach (var (label, value) in new[]
            {
                ("previous-balance", l.Money(sm.PreviousBalance, d.Currency)), ("payments-and-credits", l.Money(-sm.PaymentsAndCredits, d.Currency)),
                ("current-charges", l.Money(sm.CurrentCharges, d.Currency)), ("tax", l.Money(sm.Tax, d.Currency)), ("total", l.Money(sm.Total, d.Currency)),
                (sm.AmountDue < 0m ? "credit-carried" : "amount-due", l.Amount(Math.Abs(sm.AmountDue), d.Currency)),
                ("due-date", l.Date(d.DueDate)), ("payment-reference", d.PaymentReference),
            })
            {
                y += 12;
                Put(l[label], _body, 300);
                Put(value, _bold, 480);
            }

            // The payment instructions beside the summary box (one string here; the invoice wraps it).
            y += 12;
            Put(sm.AmountDue > 0m
                ? l.Text("payment-instructions", [.. _template.Brand.Select(b => (b.Key, b.Value)), ("amount", l.Amount(sm.AmountDue, d.Currency)), ("due", l.Date(d.DueDate)), ("reference", d.PaymentReference)])
                : l.Text("nothing-to-pay", ("amount", l.Amount(-sm.AmountDue, d.Currency))), _body, 42);
            foreach (var x in d.Suspensions)
            {
                y += 10;
                Put(l.Text("suspension.open", ("msisdn", x.Msisdn), ("since", l.Date(x.Since)), ("reason", x.Reason)), _body, 42);
            }

            // The chart's texts: its heading, the amounts of its five grid lines, a day number every five days, the legend.
            y += 12;
            Put(l["usage-chart"], _bold, 42);
            var highest = d.DailySpend.GroupBy(x => x.Day).Select(x => x.Where(v => v.Amount > 0m).Sum(v => v.Amount)).DefaultIfEmpty(0m).Max();
            for (var i = 0; i <= 4; i++)
            {
                y += 10;
                Put(l.Money(highest * i / 4, d.Currency), _body, 42);
            }

            var days = NodaTime.Period.Between(d.PeriodStart, d.PeriodEnd, NodaTime.PeriodUnits.Days).Days;
            for (var i = 0; i < days; i++)
            {
                if (i % 5 == 0 || i == days - 1)
                {
                    Put(d.PeriodStart.PlusDays(i).Day.ToString(CultureInfo.InvariantCulture), _body, 100 + (i * 14));
                }
            }

            foreach (var service in new[] { ServiceType.Voice, ServiceType.Sms, ServiceType.Data })
            {
                y += 10;
                Put($"{l["service." + service.Code()]} {l.Amount(d.DailySpend.Where(v => v.Service == service).Sum(v => v.Amount), d.Currency)}", _body, 42);
            }

            // The text under the chart where the invoice has it: under the letterhead, customer and summary box.
            y = Math.Max(y, 350);
            y += 150;
            void Break()
            {
                if (y > 775)
                {
                    g.Dispose();
                    g = XGraphics.FromPdfPage(NewPage(pdf));
                    y = 40;
                    Put(_template.Value("operator"), _bold, 42);
                    Put(l["title.invoice"], _bold, 200);
                    Put(d.Number, _bold, 300);
                    Put(d.Customer.Name, _body, 400);
                    y += 18;
                }
            }

            void Header(string caption, string[] cells)
            {
                Break();
                y += 16;
                Put(caption, _bold, 42);
                y += 10.5;
                for (var i = 0; i < cells.Length; i++)
                {
                    Put(cells[i], _bold, 42 + (i * 90));
                }
            }

            y += 22;
            Put(l["charges"], _bold, 42);
            string[] lineHeader = ["", l["col.description"], l["col.period"], l["col.quantity"], l["col.allowance"], l["col.amount"]];
            foreach (var group in d.Lines.GroupBy(x => x.Msisdn))
            {
                Header(group.Key is null ? l["account-charges"] : l.Text("subscriber", ("msisdn", group.Key)), lineHeader);
                foreach (var line in group)
                {
                    y += 10.5;
                    Break();
                    Put(l["kind." + line.Kind.Code()], _body, 42);
                    Put(line.Kind == InvoiceLineKind.LateUsage ? $"{line.Description} ({l["late"]})" : line.Description, _body, 114);
                    Put($"{l.Date(line.PeriodStart)} – {l.Date(line.PeriodEnd)}", _body, 247);
                    Put(line.Quantity?.ToString(CultureInfo.InvariantCulture) ?? "", _body, 380);
                    Put(line.AllowanceUsed is { } used && used > 0 ? used.ToString(CultureInfo.InvariantCulture) : "", _body, 440);
                    Put(l.Money(line.Amount, d.Currency), _body, 500);
                }

                y += 10.5;
                Put(l["subtotal"], _bold, 42);
                Put(l.Money(group.Sum(x => x.Amount), d.Currency), _bold, 500);
            }

            y += 22;
            Header(l["taxes"], [l["col.tax"], l["col.rate"], l["col.base"], l["col.tax"]]);
            foreach (var tax in d.Taxes)
            {
                y += 10.5;
                Put(tax.Name, _body, 42);
                Put(l.Number(tax.Rate * 100m, 2), _body, 200);
                Put(l.Money(tax.Base, d.Currency), _body, 300);
                Put(l.Money(tax.Amount, d.Currency), _body, 500);
            }

            if (d.Payments.Count > 0)
            {
                y += 22;
                Header(l["payments"], [l["col.date"], l["col.reference"], l["col.amount"]]);
                foreach (var p in d.Payments)
                {
                    y += 10.5;
                    Break();
                    Put(l.Date(p.Date), _body, 42);
                    Put(p.Reference, _body, 160);
                    Put(l.Money(p.Amount, d.Currency), _body, 500);
                }
            }

            y = 1000;
            Break();
            Put(l["annex"], _bold, 42);
            y += 10;
            Put(l["annex-note"], _body, 42);
            string[] annexHeader = [l["col.time"], l["col.service"], l["col.destination"], l["col.quantity"], l["col.amount"]];
            foreach (var subscriber in d.Annex.GroupBy(a => a.Msisdn))
            {
                Header(l.Text("subscriber", ("msisdn", subscriber.Key)), annexHeader);
                foreach (var a in subscriber)
                {
                    y += 10.5;
                    if (y > 775)
                    {
                        Break();
                        Header(l.Text("subscriber", ("msisdn", subscriber.Key)), annexHeader);
                        y += 10.5;
                    }

                    Put(a.Start.ToString("uuuu-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), _body, 42);
                    Put(l["service." + a.Service.Code()], _body, 152);
                    Put(a.Late ? $"{a.Destination} ({l["late"]})" : a.Destination ?? "", _body, 222);
                    Put(a.Quantity.ToString(CultureInfo.InvariantCulture), _body, 420);
                    Put(l.Exact(a.Amount, d.Currency), _body, 500);
                }
            }

            g.Dispose();
            var legal = l.Text("footer", [.. _template.Brand.Select(b => (b.Key, b.Value)), ("address", string.Join(", ", _template.AddressLines))]);
            var contact = l.Text("contact", [.. _template.Brand.Select(b => (b.Key, b.Value))]);
            for (var i = 0; i < pdf.PageCount; i++)
            {
                using var footer = XGraphics.FromPdfPage(pdf.Pages[i], XGraphicsPdfPageOptions.Append);
                footer.DrawString(legal, _body, XBrushes.Gray, new XRect(42, 790, 500, 10), XStringFormats.TopLeft);
                footer.DrawString(contact, _body, XBrushes.Gray, new XRect(42, 800, 400, 10), XStringFormats.TopLeft);
                footer.DrawString(l.Text("page", ("page", (i + 1).ToString(CultureInfo.InvariantCulture)), ("pages", pdf.PageCount.ToString(CultureInfo.InvariantCulture))),
                    _body, XBrushes.Black, new XRect(42, 800, 500, 10), XStringFormats.TopRight);
            }

            var pages = pdf.PageCount;
            using var bytes = new MemoryStream();
            pdf.Save(bytes, false);
            return pages;
        }

        private static PdfPage NewPage(PdfDocument pdf)
        {
            var page = pdf.AddPage();
            page.Size = PageSize.A4;
            return page;
        }
    }
}
