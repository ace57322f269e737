using Billing.Core.Invoicing;
using Billing.Core.Money;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Invoicing;

/// <summary>An issued invoice as a credit note is computed against, with its account's zone (for the note's issue date).</summary>
public sealed record CreditableInvoice(long Id, string AccountId, string TimeZone, IssuedInvoice Invoice);

/// <summary>A computed credit note with its number, ready to store.</summary>
public sealed record CreditNoteToIssue(long InvoiceId, string AccountId, string Number, LocalDate IssueDate, string Reason, string By, CreditNoteDraft Note);

/// <summary>A credit note as the invoice it credits lists it (amounts negative).</summary>
public sealed record StoredCreditNote
{
    public string Number { get; init; } = "";
    public LocalDate IssueDate { get; init; }
    public string Reason { get; init; } = "";
    public string Currency { get; init; } = "";
    public decimal Subtotal { get; init; }
    public decimal Tax { get; init; }
    public decimal Total { get; init; }
    public string CreatedBy { get; init; } = "";
}

/// <summary>
/// Credit notes: issued against an issued invoice, append-only (the database refuses changes), their
/// lines per tax category. The caller numbers them from the <c>credit-note</c> series of
/// <c>document_counters</c> in the same transaction.
/// </summary>
public static class CreditNoteStore
{
    /// <summary>The series credit notes are numbered in.</summary>
    public const string Series = "credit-note";

    /// <summary>
    /// The issued invoice <paramref name="number"/> with its lines, taxes and what credit notes took
    /// from it, or null if no invoice is issued with that number. Its account's row is locked first
    /// (as allocation locks it), so two credit notes on one account are computed one after the other
    /// and never credit more than the invoice has.
    /// </summary>
    public static CreditableInvoice? LockForCredit(NpgsqlTransaction tx, string number)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var conn = tx.Connection!;
        var locked = conn.Query<string>("""
            SELECT a.id FROM accounts a JOIN invoices i ON i.account_id = a.id
            WHERE i.number = @number AND i.status = 'issued'
            FOR UPDATE OF a
            """, new { number }, tx).AsList();
        if (locked.Count == 0)
        {
            return null;
        }

        using var results = conn.QueryMultiple("""
            SELECT i.id, i.account_id, a.time_zone, trim(i.currency), i.total,
                   -coalesce((SELECT sum(n.total) FROM credit_notes n WHERE n.invoice_id = i.id), 0)
            FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE i.number = @number;

            SELECT l.line_no, l.description, l.tax_category, l.amount
            FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.number = @number ORDER BY l.line_no;

            SELECT t.category, t.rate, t.base, t.amount, -coalesce(c.net, 0), -coalesce(c.tax, 0)
            FROM invoice_taxes t JOIN invoices i ON i.id = t.invoice_id
            LEFT JOIN LATERAL (SELECT sum(l.net) AS net, sum(l.tax) AS tax FROM credit_notes n JOIN credit_note_lines l ON l.credit_note_id = n.id
                               WHERE n.invoice_id = i.id AND l.tax_category = t.category) c ON true
            WHERE i.number = @number ORDER BY t.category;

            SELECT DISTINCT l.invoice_line_no FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id JOIN credit_note_lines l ON l.credit_note_id = n.id
            WHERE i.number = @number AND l.invoice_line_no IS NOT NULL;
            """, new { number }, tx);
        var head = results.ReadSingle<(long Id, string Account, string Zone, string Currency, decimal Total, decimal Credited)>();
        var currency = Currency.Of(head.Currency);

        // Stored with 6 decimals, issued amounts are whole minor units: shown as such (18.00, not 18.000000).
        decimal M(decimal amount) => Rounding.ToMinorUnit(amount, currency);
        var lines = results.Read<(int No, string Description, string Category, decimal Amount)>()
            .Select(l => new IssuedInvoiceLine(l.No, l.Description, l.Category, M(l.Amount))).ToList();
        var taxes = results.Read<(string Category, decimal Rate, decimal Base, decimal Amount, decimal CreditedNet, decimal CreditedTax)>()
            .Select(t => new IssuedInvoiceTax(t.Category, t.Rate, M(t.Base), M(t.Amount), M(t.CreditedNet), M(t.CreditedTax))).ToList();
        var creditedLines = results.Read<int>().ToList();
        return new CreditableInvoice(head.Id, head.Account, head.Zone, new IssuedInvoice(number, currency, M(head.Total), lines, taxes, M(head.Credited), creditedLines));
    }

    /// <summary>Stores the credit note and its lines; returns its id.</summary>
    public static long Issue(NpgsqlTransaction tx, CreditNoteToIssue issue)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(issue);
        var conn = tx.Connection!;
        var note = issue.Note;
        var id = conn.ExecuteScalar<long>("""
            INSERT INTO credit_notes (number, invoice_id, account_id, currency, issue_date, reason, subtotal, tax, total, created_by)
            VALUES (@Number, @InvoiceId, @AccountId, @currency, @IssueDate, @Reason, @subtotal, @tax, @total, @By)
            RETURNING id
            """, new
        {
            issue.Number,
            issue.InvoiceId,
            issue.AccountId,
            currency = note.Total.Currency.Code,
            issue.IssueDate,
            issue.Reason,
            subtotal = note.Subtotal.Amount,
            tax = note.Tax.Amount,
            total = note.Total.Amount,
            issue.By,
        }, tx);
        conn.Execute("""
            INSERT INTO credit_note_lines (credit_note_id, line_no, description, tax_category, rate, net, tax, invoice_line_no)
            SELECT @id, n, d, c, r, net, tax, il FROM unnest(@descriptions, @categories, @rates, @nets, @taxes, @invoiceLines) WITH ORDINALITY AS x(d, c, r, net, tax, il, n)
            """, new
        {
            id,
            descriptions = note.Lines.Select(l => l.Description).ToArray(),
            categories = note.Lines.Select(l => l.TaxCategory).ToArray(),
            rates = note.Lines.Select(l => l.Rate).ToArray(),
            nets = note.Lines.Select(l => l.Net.Amount).ToArray(),
            taxes = note.Lines.Select(l => l.Tax.Amount).ToArray(),
            invoiceLines = note.Lines.Select(l => l.InvoiceLine).ToArray(),
        }, tx);
        return id;
    }

    /// <summary>The credit notes issued against an invoice, in number order.</summary>
    public static IReadOnlyList<StoredCreditNote> OfInvoice(NpgsqlConnection conn, long invoiceId) =>
        conn.Query<StoredCreditNote>("""
            SELECT number, issue_date, reason, trim(currency) AS currency, subtotal, tax, total, created_by
            FROM credit_notes WHERE invoice_id = @invoiceId ORDER BY number
            """, new { invoiceId }).AsList();
}
