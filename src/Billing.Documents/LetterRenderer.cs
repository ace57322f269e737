using Billing.Core.Documents;
using Billing.Core.Dunning;
using NodaTime;

namespace Billing.Documents;

/// <summary>
/// Draws a dunning letter as PDF bytes from what was recorded with its step (<see cref="DunningLetter"/>)
/// and the brand's <see cref="InvoiceTemplate"/> (an <see cref="InvoiceRenderer"/>'s) — the invoices' letterhead, words, fonts and footer:
/// the customer's name and address, the invoice it is about, the account's overdue invoices with their
/// due dates and amounts, what happens next and how to pay. The bytes depend on the letter and the
/// template only (dated by the run's date; no clock, no random), so a re-render is identical.
/// </summary>
public sealed class LetterRenderer
{
    private readonly InvoiceTemplate _template;

    private readonly DocumentStyle _style;

    /// <summary>Letters in the brand of <paramref name="invoices"/>: its template, fonts and style.</summary>
    public LetterRenderer(InvoiceRenderer invoices)
    {
        ArgumentNullException.ThrowIfNull(invoices);
        _template = invoices.Template;
        _style = invoices.Style;
    }

    public byte[] Render(DunningLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var l = _template.Language(letter.Language);
        var number = DunningLetter.NumberOf(letter.Invoice, letter.Step);
        using var pdf = DocumentFrame.Open(_template, l, $"{l.LetterTitle(letter.Template)} {letter.Invoice}", letter.AsOf.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant());
        var draw = new Drawing(letter, _template, l, _style);
        using (var flow = new PageFlow(pdf, _style, draw.ContinuationHeader))
        {
            flow.NewPage();
            draw.Body(flow);
        }

        return DocumentFrame.Save(pdf, _style, l, $"{DocumentKind.Letter.Code()}:{number}");
    }

    private sealed class Drawing(DunningLetter d, InvoiceTemplate template, DocumentLanguage l, DocumentStyle s)
    {
        private static readonly Column[] InvoiceShape = [new("", 131), new("", 95), new("", 95), new("", 80, true), new("", 110, true)];

        private string Amount(decimal amount) => l.Amount(amount, d.Currency);

        public void ContinuationHeader(PageFlow f) => DocumentFrame.ContinuationHeader(f, template, s, $"{l.LetterTitle(d.Template)} {d.Invoice} · {d.Name}");

        public void Body(PageFlow f)
        {
            f.Y = DocumentFrame.Letterhead(f, template, s, l.LetterTitle(d.Template), d.Invoice);
            var top = f.Y;
            var address = d.BillingAddress.Split(d.BillingAddress.Contains('\n', StringComparison.Ordinal) ? '\n' : ';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var y = DocumentFrame.Addressee(f, s, l["letter.to"], d.Name, address, top);
            var facts = new (string, string)[]
            {
                (l["letter.date"], l.Date(d.AsOf)),
                (l["account"], d.AccountId),
                (l["number.invoice"], d.Invoice),
                (l["due-date"], l.Date(d.DueDate)),
                (l["letter.days-overdue"], l.Number(d.DaysPastDue, 0)),
            };
            f.Y = Math.Max(y, DocumentFrame.Facts(f, s, facts, top)) + 16;

            f.Text(l.Text("letter.subject", ("invoice", d.Invoice), ("overdue", Amount(d.Overdue))), s.Large, s.Primary, PageFlow.Left, f.Y, PageFlow.Width);
            f.Y += s.Large.Height + 8;
            DocumentFrame.FlowParagraph(f, s, l.Text("letter.body", ("name", d.Name), ("invoice", d.Invoice), ("issued", l.Date(d.IssueDate)), ("due", l.Date(d.DueDate)),
                ("days", l.Number(d.DaysPastDue, 0)), ("overdue", Amount(d.Overdue)), ("total", Amount(d.InvoiceTotal))), s.Body);
            f.Y += 4;

            Invoices(f);

            f.Heading(l["letter.next-heading"], 30);
            var next = d.NextAction is { } action && d.NextDate is { } date
                ? l.Text("letter.next." + action, ("date", l.Date(date)), ("invoice", d.Invoice))
                : l["letter.next.none"];
            DocumentFrame.FlowParagraph(f, s, next, s.Body);
            f.Y += 4;

            f.Heading(l["letter.payment-heading"], 30);
            var pay = DocumentFrame.BrandText(template, l, "letter.payment", ("amount", Amount(d.AccountOverdue)), ("reference", d.Invoice));
            DocumentFrame.FlowParagraph(f, s, pay, s.Bold);
            f.Y += 8;
            DocumentFrame.FlowParagraph(f, s, DocumentFrame.BrandText(template, l, "letter.closing"), s.Body);
        }

        /// <summary>The account's overdue invoices (a letter recorded before they were kept: this invoice), and what the account owes past due.</summary>
        private void Invoices(PageFlow f)
        {
            var invoices = d.Invoices is { Count: > 0 } listed ? listed : [new LetterInvoice(d.Invoice, d.IssueDate, d.DueDate, d.DaysPastDue, d.Overdue)];
            var columns = new[] { l["number.invoice"], l["issue-date"], l["due-date"], l["letter.days-overdue"], $"{l["letter.col.overdue"]} {d.Currency}" }
                .Select((h, i) => InvoiceShape[i] with { Header = h }).ToArray();
            f.Heading(l["letter.overdue-invoices"], PageFlow.RowHeight * 3);
            var listedSum = invoices.Sum(i => i.Overdue);
            var rows = invoices.Select(i => (new[] { i.Number, l.Date(i.IssueDate), l.Date(i.DueDate), l.Number(i.DaysPastDue, 0), l.Money(i.Overdue, d.Currency) },
                RowStyle.Plain)).ToList();
            if (listedSum != d.AccountOverdue)
            {
                // Money paid or credited and not yet put against an invoice lowers what is owed past due.
                rows.Add(([l["payments-and-credits"], "", "", "", l.Money(d.AccountOverdue - listedSum, d.Currency)], RowStyle.Plain));
            }

            rows.Add(([l["letter.total-overdue"], "", "", "", l.Money(d.AccountOverdue, d.Currency)], RowStyle.Subtotal));
            f.Table(columns, rows);
        }
    }
}
