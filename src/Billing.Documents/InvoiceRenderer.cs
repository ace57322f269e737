using Billing.Core.Documents;
using Billing.Core.Invoicing;
using Billing.Core.Usage;
using NodaTime;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Billing.Documents;

/// <summary>
/// Draws an invoice or a credit note as PDF bytes from its <see cref="InvoiceDocument"/> and a brand's
/// <see cref="InvoiceTemplate"/>: header, customer, summary box, charges per subscriber, taxes, the
/// usage chart, the itemised annex, and "page x of y" with the legal footer on every page. The bytes
/// depend on the document and the template only (no clock, no random), so a re-render is identical.
/// Safe to use from several threads.
/// </summary>
public sealed class InvoiceRenderer
{
    private readonly InvoiceTemplate _template;

    private readonly DocumentStyle _style;

    /// <param name="fontFolder">the DejaVu fonts (templates/fonts); installed as PDFsharp's resolver on first use.</param>
    public InvoiceRenderer(InvoiceTemplate template, string fontFolder)
    {
        ArgumentNullException.ThrowIfNull(template);
        DocumentFonts.Install(fontFolder);
        _template = template;
        _style = new DocumentStyle(template);
    }

    public InvoiceTemplate Template => _template;

    /// <summary>
    /// How many embedded font programs this renderer's documents got from earlier documents with the same glyphs, and how
    /// many PDFsharp made (<see cref="FontPrograms"/>), since it was made.
    /// </summary>
    public (long Reused, long Made) FontProgramCounts => (_style.FontPrograms.Reused, _style.FontPrograms.Made);

    /// <summary>The brand's fonts, colours and logo, made once: letters drawn with this brand share them.</summary>
    internal DocumentStyle Style => _style;

    public byte[] Render(InvoiceDocument document) => Render(document, static pdf => pdf.ToArray());

    /// <summary>Draws the document and hands its bytes to <paramref name="use"/>, valid during the call only (see <see cref="PdfBytes{T}"/>).</summary>
    public T Render<T>(InvoiceDocument document, PdfBytes<T> use)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(use);
        var language = _template.Language(document.Customer.Language);
        using var pdf = DocumentFrame.Open(_template, language, $"{Title(document, language)} {document.Number}", document.IssuedAt);
        var draw = new Drawing(document, _template, language, _style);
        using (var flow = new PageFlow(pdf, _style, draw.ContinuationHeader))
        {
            flow.NewPage();
            draw.Body(flow);
        }

        return DocumentFrame.Save(pdf, _style, language, $"{document.Kind.Code()}:{document.Number}", use);
    }

    /// <summary>
    /// The lines as the charges table lists them: per subscriber (by number, the account's own last), then by kind,
    /// service and destination group, lines alike in all of these in the order stored.
    /// </summary>
    public static DocumentLine[] ChargeOrder(IReadOnlyList<DocumentLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var order = new int[lines.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            var (x, y) = (lines[a], lines[b]);
            var c = (x.Msisdn is null).CompareTo(y.Msisdn is null);
            c = c != 0 ? c : string.CompareOrdinal(x.Msisdn, y.Msisdn);
            c = c != 0 ? c : x.Kind.CompareTo(y.Kind);
            c = c != 0 ? c : Nullable.Compare(x.Service, y.Service);
            c = c != 0 ? c : string.CompareOrdinal(x.DestinationGroup, y.DestinationGroup);
            return c != 0 ? c : a.CompareTo(b);
        });
        return [.. order.Select(i => lines[i])];
    }

    internal static string Title(InvoiceDocument d, DocumentLanguage l) => l[d.Kind == DocumentKind.Invoice ? "title.invoice" : "title.credit-note"];

    /// <summary>One document's drawing: the parts in page order.</summary>
    private sealed class Drawing(InvoiceDocument d, InvoiceTemplate template, DocumentLanguage l, DocumentStyle s)
    {
        private string Amount(decimal amount) => l.Amount(amount, d.Currency);

        private string Money(decimal amount) => l.Money(amount, d.Currency);

        private string Period(LocalDate from, LocalDate toExclusive)
        {
            var last = toExclusive.PlusDays(-1);
            return last <= from ? l.Date(from) : $"{l.Date(from)} – {l.Date(last)}";
        }

        /// <summary>The small header of every page after the first: operator, document and number.</summary>
        public void ContinuationHeader(PageFlow f) => DocumentFrame.ContinuationHeader(f, template, s, $"{Title(d, l)} {d.Number} · {d.Customer.Name}");

        public void Body(PageFlow f)
        {
            Letterhead(f);
            if (d.Kind == DocumentKind.Invoice)
            {
                Summary(f);
                Suspensions(f);
                Chart(f);
                Charges(f);
                Taxes(f);
                Payments(f);
                Annex(f);
            }
            else
            {
                CreditNote(f);
                Taxes(f);
            }
        }

        private void Letterhead(PageFlow f)
        {
            f.Y = DocumentFrame.Letterhead(f, template, s, Title(d, l), d.Number);

            // Customer on the left, the document's particulars on the right.
            var blockTop = f.Y;
            var y = DocumentFrame.Addressee(f, s, l["bill-to"], d.Customer.Name, d.Customer.AddressLines, blockTop);
            var facts = new List<(string, string)>
            {
                (l[d.Kind == DocumentKind.Invoice ? "number.invoice" : "number.credit-note"], d.Number),
                (l["issue-date"], l.Date(d.IssueDate)),
            };
            if (d.Kind == DocumentKind.Invoice)
            {
                facts.Add((l["due-date"], l.Date(d.DueDate)));
            }

            facts.Add((l["account"], d.Customer.AccountId));
            facts.Add((l["period"], Period(d.PeriodStart, d.PeriodEnd)));
            f.Y = Math.Max(y, DocumentFrame.Facts(f, s, facts, blockTop)) + 10;
        }

        private void Summary(PageFlow f)
        {
            var sm = d.Summary;
            var rows = new List<(string Label, string Value, bool Strong)>
            {
                (l["previous-balance"], Money(sm.PreviousBalance), false),
                (l["payments-and-credits"], Money(-sm.PaymentsAndCredits), false),
                (l["current-charges"], Money(sm.CurrentCharges), false),
                (l["tax"], Money(sm.Tax), false),
                (l["total"], Money(sm.Total), false),
                (l[sm.AmountDue < 0m ? "credit-carried" : "amount-due"], Amount(sm.AmountDue < 0m ? -sm.AmountDue : sm.AmountDue), true),
                (l["due-date"], l.Date(d.DueDate), false),
                (l["payment-reference"], d.PaymentReference, false),
            };
            var height = rows.Count * 13 + 24;
            // Payment instructions beside the box, as long as the operator's wording makes them: what follows starts under both.
            var instructions = DocumentFrame.Lines(f, sm.AmountDue > 0m
                ? DocumentFrame.BrandText(template, l, "payment-instructions", ("amount", Amount(sm.AmountDue)), ("due", l.Date(d.DueDate)), ("reference", d.PaymentReference))
                : l.Text("nothing-to-pay", ("amount", Amount(-sm.AmountDue))), 240, s.Body);
            var beside = 4 + instructions.Count * (s.Body.Height + 1);
            f.Need(Math.Max(height, beside));
            var x = 300.0;
            var w = PageFlow.Left + PageFlow.Width - x;
            var top = f.Y;
            f.Shapes.Fill(s.Band, x, top, w, height);
            f.Shapes.Fill(s.PrimaryShape, x, top, w, 16);
            f.Text($"{l["summary"]} ({d.Currency})", s.Bold, XBrushes.White, x + 6, top + 4, w - 12);
            var y = top + 21;
            foreach (var (label, value, strong) in rows)
            {
                f.Text(label, strong ? s.Bold : s.Body, s.TextBrush, x + 6, y, w / 2);
                f.Text(value, strong ? s.Large : s.Bold, strong ? s.Primary : s.TextBrush, x + 6, strong ? y - 1 : y, w - 12, right: true);
                y += 13;
            }

            DocumentFrame.Draw(f, s, instructions, PageFlow.Left, top + 4, 240, s.Body);
            f.Y = top + Math.Max(height, beside) + 6;
        }

        /// <summary>Subscribers whose outgoing service dunning suspended in the period.</summary>
        private void Suspensions(PageFlow f)
        {
            if (d.Suspensions.Count == 0)
            {
                return;
            }

            f.Heading(l["suspensions"], 12);
            foreach (var x in d.Suspensions)
            {
                var text = x.Until is { } until
                    ? l.Text("suspension.lifted", ("msisdn", x.Msisdn), ("since", l.Date(x.Since)), ("until", l.Date(until)), ("reason", x.Reason))
                    : l.Text("suspension.open", ("msisdn", x.Msisdn), ("since", l.Date(x.Since)), ("reason", x.Reason));
                DocumentFrame.FlowParagraph(f, s, text, s.Body);
            }

            f.Y += 4;
        }

        private static readonly Column[] ChargeShape = [new("", 72), new("", 133), new("", 120), new("", 62, true), new("", 62, true), new("", 62, true)];

        private void Charges(PageFlow f)
        {
            var columns = new[] { "", l["col.description"], l["col.period"], l["col.quantity"], l["col.allowance"], $"{l["col.amount"]} {d.Currency}" }
                .Select((h, i) => ChargeShape[i] with { Header = h }).ToArray();
            f.Heading(l["charges"], PageFlow.RowHeight * 4);
            var lines = InvoiceRenderer.ChargeOrder(d.Lines);
            for (var first = 0; first < lines.Length;)
            {
                var msisdn = lines[first].Msisdn;
                var end = first + 1;
                while (end < lines.Length && lines[end].Msisdn == msisdn)
                {
                    end++;
                }

                var rows = new List<(string[], RowStyle)>(end - first + 1);
                var subtotal = 0m;
                for (var i = first; i < end; i++)
                {
                    rows.Add((Line(lines[i]), lines[i].Kind == InvoiceLineKind.LateUsage ? RowStyle.Marked : RowStyle.Plain));
                    subtotal += lines[i].Amount;
                }

                rows.Add(([l["subtotal"], "", "", "", "", Money(subtotal)], RowStyle.Subtotal));
                f.Table(columns, rows, msisdn is null ? l["account-charges"] : l.Text("subscriber", ("msisdn", msisdn)));
                first = end;
            }
        }

        private string[] Line(DocumentLine x)
        {
            var kind = l["kind." + x.Kind.Code()];
            var period = Period(x.PeriodStart, x.PeriodEnd);
            var prorated = x.Kind == InvoiceLineKind.Recurring && (x.PeriodStart != d.PeriodStart || x.PeriodEnd != d.PeriodEnd);
            var description = x.Kind == InvoiceLineKind.LateUsage ? $"{x.Description} ({l["late"]})" : prorated ? $"{x.Description} ({l["prorated"]})" : x.Description;
            var quantity = x.Quantity is not { } q ? "" : x.Kind == InvoiceLineKind.Recurring ? l.Text("unit.days", ("n", q.ToString(System.Globalization.CultureInfo.InvariantCulture))) : Quantity(x.Service, q);
            var allowance = x.AllowanceUsed is { } a && a > 0 ? Quantity(x.Service, a) : "";
            return [kind, description, period, quantity, allowance, Money(x.Amount)];
        }

        /// <summary>Seconds as h:mm:ss or m:ss, SMS as a count, bytes as megabytes (10^6 bytes, two decimals).</summary>
        private string Quantity(ServiceType? service, long q) => service switch
        {
            ServiceType.Voice => CellText.Duration(q),
            ServiceType.Sms => l.Text("unit.sms", ("n", l.Number(q, 0))),
            ServiceType.Data => l.Text("unit.data", ("n", l.Number(q / 1_000_000m, 2))),
            _ => l.Number(q, 0),
        };

        private static readonly Column[] TaxShape = [new("", 200), new("", 80, true), new("", 116, true), new("", 115, true)];

        private void Taxes(PageFlow f)
        {
            if (d.Taxes.Count == 0)
            {
                return;
            }

            var columns = new[] { l["col.tax"], l["col.rate"], $"{l["col.base"]} {d.Currency}", $"{l["col.tax"]} {d.Currency}" }
                .Select((h, i) => TaxShape[i] with { Header = h }).ToArray();
            f.Heading(l["taxes"], PageFlow.RowHeight * 3);
            var rows = d.Taxes.Select(t => (new[] { t.Name, l.Number(t.Rate * 100m, 2) + " %", Money(t.Base), Money(t.Amount) }, RowStyle.Plain))
                .Append(([l["total"], "", Money(d.Taxes.Sum(t => t.Base)), Money(d.Taxes.Sum(t => t.Amount))], RowStyle.Subtotal));
            f.Table(columns, rows);
        }

        private static readonly Column[] PaymentShape = [new("", 120), new("", 276), new("", 115, true)];

        private void Payments(PageFlow f)
        {
            if (d.Payments.Count == 0)
            {
                return;
            }

            var columns = new[] { l["col.date"], l["col.reference"], $"{l["col.amount"]} {d.Currency}" }.Select((h, i) => PaymentShape[i] with { Header = h }).ToArray();
            f.Heading(l["payments"], PageFlow.RowHeight * 3);
            f.Table(columns, d.Payments.Select(p => (new[] { l.Date(p.Date), p.Reference, Money(p.Amount) }, RowStyle.Plain)));
        }

        private void Chart(PageFlow f)
        {
            if (d.DailySpend.Count == 0)
            {
                return;
            }

            f.Heading(l["usage-chart"], UsageChart.Height);
            UsageChart.Draw(f, d, l, s);
        }

        private static readonly Column[] AnnexShape = [new("", 110), new("", 70), new("", 165), new("", 80, true), new("", 86, true)];

        private void Annex(PageFlow f)
        {
            if (d.Annex.Count == 0)
            {
                return;
            }

            var columns = new[] { l["col.time"], l["col.service"], l["col.destination"], l["col.quantity"], $"{l["col.amount"]} {d.Currency}" }
                .Select((h, i) => AnnexShape[i] with { Header = h }).ToArray();
            f.NewPage();
            f.Heading(l["annex"], PageFlow.RowHeight * 4);
            f.Text(l["annex-note"], s.Small, s.Muted, PageFlow.Left, f.Y, PageFlow.Width);
            f.Y += 10;
            foreach (var subscriber in d.Annex.GroupBy(a => a.Msisdn))
            {
                f.Table(columns, subscriber.Select(a => (new[]
                {
                    CellText.Stamp(a.Start),
                    l["service." + a.Service.Code()],
                    a.Late ? $"{a.Destination} ({l["late"]})" : a.Destination ?? "",
                    Quantity(a.Service, a.Quantity),
                    l.Exact(a.Amount, d.Currency),
                }, a.Late ? RowStyle.Marked : RowStyle.Plain)), l.Text("subscriber", ("msisdn", subscriber.Key)));
            }
        }

        private static readonly Column[] CreditShape = [new("", 320), new("", 80), new("", 111, true)];

        private void CreditNote(PageFlow f)
        {
            if (d.CreditedInvoice is { } invoice)
            {
                f.Text(l.Text("credits-invoice", ("invoice", invoice)), s.Bold, s.TextBrush, PageFlow.Left, f.Y, PageFlow.Width);
                f.Y += 12;
            }

            if (d.Reason is { } reason)
            {
                // Free text typed with the credit note: wrapped, not run off the page.
                DocumentFrame.FlowParagraph(f, s, $"{l["reason"]}: {reason}", s.Body, 12);
            }

            var columns = new[] { l["col.description"], l["col.tax"], $"{l["col.amount"]} {d.Currency}" }.Select((h, i) => CreditShape[i] with { Header = h }).ToArray();
            f.Heading(l["charges"], PageFlow.RowHeight * 3);
            var sm = d.Summary;
            var rows = d.Lines.Select(x => (new[] { x.Description, x.TaxCategory, Money(x.Amount) }, RowStyle.Plain))
                .Append(([l["current-charges"], "", Money(sm.CurrentCharges)], RowStyle.Subtotal))
                .Append(([l["tax"], "", Money(sm.Tax)], RowStyle.Plain))
                .Append(([l["total"], "", Money(sm.Total)], RowStyle.Subtotal));
            f.Table(columns, rows);
            DocumentFrame.FlowParagraph(f, s, l.Text("credit-instructions", ("account", d.Customer.AccountId), ("amount", Amount(-sm.Total))), s.Body);
            f.Y += 6;
        }
    }
}
