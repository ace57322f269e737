using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Invoicing;

/// <summary>An invoice as stored, with its lines and taxes. <see cref="CycleEnd"/> is exclusive; <see cref="Outstanding"/> is null for a draft.</summary>
public sealed record StoredInvoice
{
    public long Id { get; init; }
    public string? Number { get; init; }
    public string AccountId { get; init; } = "";
    public string AccountName { get; init; } = "";
    public long? RunId { get; init; }
    public string Status { get; init; } = "";
    public string Currency { get; init; } = "";
    public LocalDate CycleStart { get; init; }
    public LocalDate CycleEnd { get; init; }
    public LocalDate IssueDate { get; init; }
    public LocalDate DueDate { get; init; }
    public decimal Subtotal { get; init; }
    public decimal Tax { get; init; }
    public decimal Total { get; init; }
    public decimal PreviousBalance { get; init; }
    public decimal PaymentsAndCredits { get; init; }
    public decimal AmountDue { get; init; }
    public decimal? Outstanding { get; init; }
    public IReadOnlyList<StoredInvoiceLine> Lines { get; init; } = [];
    public IReadOnlyList<StoredInvoiceTax> Taxes { get; init; } = [];
}

/// <summary>A stored invoice line; <see cref="Service"/> is the stored service code (1 voice, 2 SMS, 3 data).</summary>
public sealed record StoredInvoiceLine
{
    public int LineNo { get; init; }
    public string Kind { get; init; } = "";
    public string Description { get; init; } = "";
    public string? Msisdn { get; init; }
    public short? Service { get; init; }
    public string? DestinationGroup { get; init; }
    public long? Quantity { get; init; }
    public LocalDate PeriodStart { get; init; }
    public LocalDate PeriodEnd { get; init; }
    public string TaxCategory { get; init; } = "";
    public decimal Amount { get; init; }
}

public sealed record StoredInvoiceTax
{
    public string Category { get; init; } = "";
    public string Name { get; init; } = "";
    public decimal Rate { get; init; }
    public decimal Base { get; init; }
    public decimal Amount { get; init; }
}

/// <summary>Which invoices to list: null = any; <see cref="Status"/> is draft or issued.</summary>
public sealed record InvoiceFilter(string? AccountId = null, long? RunId = null, string? Status = null, int Limit = 50);

/// <summary>Invoices read back for people and documents: one with its lines and taxes, or a list.</summary>
public static partial class InvoiceStore
{
    private const string Head = $"""
        SELECT i.id, i.number, i.account_id, a.name AS account_name, i.run_id, i.status, trim(i.currency) AS currency,
               i.cycle_start, i.cycle_end, i.issue_date, i.due_date, i.subtotal, i.tax, i.total,
               i.previous_balance, i.payments_and_credits, i.amount_due,
               CASE WHEN i.status = 'issued' THEN {Outstanding} END AS outstanding
        FROM invoices i JOIN accounts a ON a.id = i.account_id
        """;

    /// <summary>The issued invoice with this number, with its lines and taxes; null if there is none.</summary>
    public static StoredInvoice? Read(NpgsqlConnection conn, string number) =>
        WithParts(conn, conn.QuerySingleOrDefault<StoredInvoice>(Head + " WHERE i.number = @number", new { number }));

    /// <summary>The invoice of an account's cycle ending (exclusive) on <paramref name="cycleEnd"/>: the issued one, else the draft; null if neither.</summary>
    public static StoredInvoice? ReadForCycle(NpgsqlConnection conn, string accountId, LocalDate cycleEnd) =>
        WithParts(conn, conn.QueryFirstOrDefault<StoredInvoice>(
            Head + " WHERE i.account_id = @accountId AND i.cycle_end = @cycleEnd ORDER BY i.status DESC LIMIT 1", new { accountId, cycleEnd }));

    /// <summary>Invoices without their lines, newest first (issue date, then number; drafts after issued invoices of the same day).</summary>
    public static IReadOnlyList<StoredInvoice> List(NpgsqlConnection conn, InvoiceFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return conn.Query<StoredInvoice>(Head + """

             WHERE (@AccountId::text IS NULL OR i.account_id = @AccountId)
               AND (@RunId::bigint IS NULL OR i.run_id = @RunId)
               AND (@Status::text IS NULL OR i.status = @Status)
             ORDER BY i.issue_date DESC, i.number DESC NULLS LAST, i.account_id
             LIMIT @Limit
            """, filter).AsList();
    }

    private static StoredInvoice? WithParts(NpgsqlConnection conn, StoredInvoice? invoice)
    {
        if (invoice is null)
        {
            return null;
        }

        using var parts = conn.QueryMultiple("""
            SELECT line_no, kind, description, msisdn, service, destination_group, quantity, period_start, period_end, tax_category, amount
            FROM invoice_lines WHERE invoice_id = @Id ORDER BY line_no;
            SELECT category, name, rate, base, amount FROM invoice_taxes WHERE invoice_id = @Id ORDER BY category;
            """, new { invoice.Id });
        return invoice with { Lines = parts.Read<StoredInvoiceLine>().AsList(), Taxes = parts.Read<StoredInvoiceTax>().AsList() };
    }
}
