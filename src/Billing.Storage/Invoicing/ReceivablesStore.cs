using Billing.Core.Invoicing;
using Billing.Core.Money;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Invoicing;

/// <summary>A payment to record: idempotent on its reference.</summary>
public sealed record PaymentIn(string Reference, string AccountId, decimal Amount, string Currency, Instant PaidAt, string? InvoiceNumber, long Line = 0);

/// <summary>An issued invoice and what is still owed on it.</summary>
public sealed record OpenInvoice
{
    public long Id { get; init; }
    public string Number { get; init; } = "";
    public string AccountId { get; init; } = "";
    public LocalDate IssueDate { get; init; }
    public LocalDate DueDate { get; init; }
    public string Currency { get; init; } = "";
    public decimal Total { get; init; }
    public decimal Outstanding { get; init; }
}

/// <summary>Money in not yet put against an invoice: a payment, or a credit note beyond what its invoice owed.</summary>
public sealed record UnallocatedMoney
{
    public string Kind { get; init; } = "";
    public long Id { get; init; }
    public string AccountId { get; init; } = "";
    public string Currency { get; init; } = "";
    public decimal Left { get; init; }
    public string? NamedInvoice { get; init; }
    public Instant At { get; init; }
}

/// <summary>Money of one payment or credit note put against an invoice.</summary>
public sealed record SourceAllocation
{
    public long? PaymentId { get; init; }
    public long? CreditNoteId { get; init; }
    public string Invoice { get; init; } = "";
    public decimal Amount { get; init; }
}

/// <summary>One movement of an account's receivables ledger.</summary>
public sealed record StatementEntry
{
    public string Kind { get; init; } = "";
    public string Reference { get; init; } = "";
    public LocalDate Date { get; init; }
    public decimal Amount { get; init; }
    public string Currency { get; init; } = "";
    public string? Invoice { get; init; }
    public decimal? Outstanding { get; init; }
}

/// <summary>An allocation as the statement shows it.</summary>
public sealed record AllocationEntry
{
    public string Source { get; init; } = "";
    public string SourceReference { get; init; } = "";
    public string Invoice { get; init; } = "";
    public decimal Amount { get; init; }
    public Instant At { get; init; }
}

/// <summary>
/// Receivables: payments, credit notes and what they settle (allocations), and the account
/// statement — the ledger dunning reads. All append-only; the open balance is always
/// Σ issued invoice totals + Σ credit note totals (negative) − Σ payments.
/// </summary>
public static class ReceivablesStore
{
    /// <summary>Records the payments whose reference is new (a reference seen before records nothing); returns the ids of those added by reference.</summary>
    public static IReadOnlyDictionary<string, long> AddPayments(NpgsqlTransaction tx, IReadOnlyList<PaymentIn> payments, string by)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(payments);
        if (payments.Count == 0)
        {
            return new Dictionary<string, long>();
        }

        return tx.Connection!.Query<(long Id, string Reference)>("""
            INSERT INTO payments (reference, account_id, amount, currency, paid_at, invoice_number, created_by)
            SELECT * FROM unnest(@refs, @accounts, @amounts, @currencies, @paidAt, @invoices, @bys)
            ON CONFLICT (reference) DO NOTHING
            RETURNING id, reference
            """, new
        {
            refs = payments.Select(p => p.Reference).ToArray(),
            accounts = payments.Select(p => p.AccountId).ToArray(),
            amounts = payments.Select(p => p.Amount).ToArray(),
            currencies = payments.Select(p => p.Currency).ToArray(),
            paidAt = payments.Select(p => p.PaidAt).ToArray(),
            invoices = payments.Select(p => p.InvoiceNumber).ToArray(),
            bys = payments.Select(_ => by).ToArray(),
        }, tx).ToDictionary(p => p.Reference, p => p.Id, StringComparer.Ordinal);
    }

    /// <summary>The accounts among these that exist, by id: their currency, zone and tax region.</summary>
    public static IReadOnlyDictionary<string, BilledAccount> Accounts(NpgsqlConnection conn, IReadOnlyCollection<string> ids, NpgsqlTransaction? tx = null) =>
        conn.Query<BilledAccount>("""
            SELECT id, name, trim(currency) AS currency, time_zone, payment_type, bill_cycle_day, tax_region FROM accounts WHERE id = ANY(@ids)
            """, new { ids = ids.ToArray() }, tx).ToDictionary(a => a.Id, StringComparer.Ordinal);

    /// <summary>The account of each issued invoice among these numbers.</summary>
    public static IReadOnlyDictionary<string, string> InvoiceAccounts(NpgsqlConnection conn, IReadOnlyCollection<string> numbers, NpgsqlTransaction? tx = null) =>
        conn.Query<(string Number, string Account)>("SELECT number, account_id FROM invoices WHERE number = ANY(@numbers) AND status = 'issued'", new { numbers = numbers.ToArray() }, tx)
            .ToDictionary(x => x.Number, x => x.Account, StringComparer.Ordinal);

    /// <summary>Where these payments' and credit notes' money went, in allocation order.</summary>
    public static IReadOnlyList<SourceAllocation> AllocationsOf(NpgsqlConnection conn, IReadOnlyCollection<long> paymentIds, IReadOnlyCollection<long> creditNoteIds, NpgsqlTransaction? tx = null) =>
        conn.Query<SourceAllocation>("""
            SELECT a.payment_id, a.credit_note_id, i.number AS invoice, a.amount FROM allocations a JOIN invoices i ON i.id = a.invoice_id
            WHERE a.payment_id = ANY(@payments) OR a.credit_note_id = ANY(@notes) ORDER BY a.id
            """, new { payments = paymentIds.ToArray(), notes = creditNoteIds.ToArray() }, tx).AsList();

    /// <summary>The references among these that are recorded already.</summary>
    public static IReadOnlySet<string> KnownReferences(NpgsqlConnection conn, IReadOnlyCollection<string> references, NpgsqlTransaction? tx = null) =>
        conn.Query<string>("SELECT reference FROM payments WHERE reference = ANY(@references)", new { references = references.ToArray() }, tx).ToHashSet(StringComparer.Ordinal);

    /// <summary>Issued invoices of the accounts with something still owed, oldest first.</summary>
    public static IReadOnlyList<OpenInvoice> OpenInvoices(NpgsqlConnection conn, IReadOnlyCollection<string> accounts, NpgsqlTransaction? tx = null) =>
        conn.Query<OpenInvoice>("""
            SELECT i.id, i.number, i.account_id, i.issue_date, i.due_date, i.currency, i.total,
                   i.total - coalesce((SELECT sum(a.amount) FROM allocations a WHERE a.invoice_id = i.id), 0) AS outstanding
            FROM invoices i
            WHERE i.account_id = ANY(@accounts) AND i.status = 'issued'
              AND i.total > coalesce((SELECT sum(a.amount) FROM allocations a WHERE a.invoice_id = i.id), 0)
            ORDER BY i.account_id, i.issue_date, i.number
            """, new { accounts = accounts.ToArray() }, tx).AsList();

    /// <summary>Payments, credit notes and issued invoices of a negative total of the accounts with money not yet allocated, oldest first.</summary>
    public static IReadOnlyList<UnallocatedMoney> Unallocated(NpgsqlConnection conn, IReadOnlyCollection<string> accounts, NpgsqlTransaction? tx = null) =>
        conn.Query<UnallocatedMoney>("""
            SELECT * FROM (
                SELECT 'payment' AS kind, p.id, p.account_id, p.currency,
                       p.amount - coalesce((SELECT sum(a.amount) FROM allocations a WHERE a.payment_id = p.id), 0) AS left,
                       p.invoice_number AS named_invoice, p.paid_at AS at
                FROM payments p WHERE p.account_id = ANY(@accounts)
                UNION ALL
                SELECT 'credit-note', n.id, n.account_id, n.currency,
                       -n.total - coalesce((SELECT sum(a.amount) FROM allocations a WHERE a.credit_note_id = n.id), 0),
                       i.number, n.created_at
                FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id WHERE n.account_id = ANY(@accounts)
                UNION ALL
                SELECT 'invoice', c.id, c.account_id, c.currency,
                       -c.total - coalesce((SELECT sum(a.amount) FROM allocations a WHERE a.credit_invoice_id = c.id), 0),
                       NULL, c.issued_at
                FROM invoices c WHERE c.account_id = ANY(@accounts) AND c.status = 'issued' AND c.total < 0) m
            WHERE m.left > 0
            ORDER BY m.account_id, m.at, m.kind, m.id
            """, new { accounts = accounts.ToArray() }, tx).AsList();

    /// <summary>
    /// Puts the accounts' unallocated money (payments, credit notes) against their open invoices:
    /// each source in the order it came, its named invoice first, then oldest first; what is left
    /// stays as credit for the next invoice. Locks the accounts' rows first so that two allocators
    /// never hand out the same money.
    /// </summary>
    public static int AllocateCredit(NpgsqlTransaction tx, IReadOnlyCollection<string> accounts)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (accounts.Count == 0)
        {
            return 0;
        }

        var conn = tx.Connection!;
        conn.Execute("SELECT id FROM accounts WHERE id = ANY(@ids) ORDER BY id FOR UPDATE", new { ids = accounts.ToArray() }, tx);
        var open = OpenInvoices(conn, accounts, tx).ToLookup(i => i.AccountId, StringComparer.Ordinal);
        var rows = new List<(string Account, long Invoice, long? Payment, long? CreditNote, long? CreditInvoice, decimal Amount)>();
        foreach (var money in Unallocated(conn, accounts, tx).GroupBy(m => m.AccountId, StringComparer.Ordinal))
        {
            var items = open[money.Key].Where(i => i.Outstanding > 0m).ToDictionary(i => i.Number, StringComparer.Ordinal);
            foreach (var source in money)
            {
                var currency = Currency.Of(source.Currency.Trim());
                var candidates = items.Values.Where(i => i.Outstanding > 0m && i.Currency.Trim() == currency.Code)
                    .Select(i => new OpenItem(i.Number, i.IssueDate, new Money(i.Outstanding, currency))).ToList();
                if (candidates.Count == 0)
                {
                    continue;
                }

                var result = PaymentAllocator.Allocate(new Money(source.Left, currency), candidates, source.NamedInvoice);
                foreach (var a in result.Allocations)
                {
                    var invoice = items[a.InvoiceNumber];
                    rows.Add((money.Key, invoice.Id, source.Kind == "payment" ? source.Id : null, source.Kind == "credit-note" ? source.Id : null,
                        source.Kind == "invoice" ? source.Id : null, a.Amount.Amount));
                    items[a.InvoiceNumber] = invoice with { Outstanding = invoice.Outstanding - a.Amount.Amount };
                }
            }
        }

        if (rows.Count > 0)
        {
            conn.Execute("""
                INSERT INTO allocations (account_id, invoice_id, payment_id, credit_note_id, credit_invoice_id, amount)
                SELECT * FROM unnest(@accounts, @invoices, @payments, @notes, @creditInvoices, @amounts)
                """, new
            {
                accounts = rows.Select(r => r.Account).ToArray(),
                invoices = rows.Select(r => r.Invoice).ToArray(),
                payments = rows.Select(r => r.Payment).ToArray(),
                notes = rows.Select(r => r.CreditNote).ToArray(),
                creditInvoices = rows.Select(r => r.CreditInvoice).ToArray(),
                amounts = rows.Select(r => r.Amount).ToArray(),
            }, tx);
        }

        return rows.Count;
    }

    /// <summary>The account's open balance: Σ issued totals + Σ credit note totals − Σ payments (negative: in credit).</summary>
    public static decimal OpenBalance(NpgsqlConnection conn, string account, NpgsqlTransaction? tx = null) =>
        conn.ExecuteScalar<decimal>("""
            SELECT coalesce((SELECT sum(total) FROM invoices WHERE account_id = @account AND status = 'issued'), 0)
                 + coalesce((SELECT sum(total) FROM credit_notes WHERE account_id = @account), 0)
                 - coalesce((SELECT sum(amount) FROM payments WHERE account_id = @account), 0)
            """, new { account }, tx);

    /// <summary>Invoices, credit notes and payments of the account in date order.</summary>
    public static IReadOnlyList<StatementEntry> Statement(NpgsqlConnection conn, string account) =>
        conn.Query<StatementEntry>($"""
            SELECT * FROM (
                SELECT 'invoice' AS kind, i.number AS reference, i.issue_date AS date, i.total AS amount, i.currency, i.number AS invoice,
                       {InvoiceStore.Outstanding} AS outstanding -- a negative invoice's credit left is in Unallocated
                FROM invoices i WHERE i.account_id = @account AND i.status = 'issued'
                UNION ALL
                SELECT 'credit-note', n.number, n.issue_date, n.total, n.currency, i.number, NULL
                FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id WHERE n.account_id = @account
                UNION ALL
                SELECT 'payment', p.reference, (p.paid_at AT TIME ZONE 'UTC')::date, -p.amount, p.currency, p.invoice_number, NULL
                FROM payments p WHERE p.account_id = @account) s
            ORDER BY s.date, s.kind DESC, s.reference
            """, new { account }).AsList();

    private const string AllocationRows = """
        SELECT CASE WHEN a.payment_id IS NOT NULL THEN 'payment' WHEN a.credit_note_id IS NOT NULL THEN 'credit-note' ELSE 'invoice' END AS source,
               coalesce(p.reference, n.number, ci.number) AS source_reference, i.number AS invoice, a.amount, a.created_at AS at
        FROM allocations a JOIN invoices i ON i.id = a.invoice_id
        LEFT JOIN payments p ON p.id = a.payment_id LEFT JOIN credit_notes n ON n.id = a.credit_note_id LEFT JOIN invoices ci ON ci.id = a.credit_invoice_id
        """;

    /// <summary>What settles what on the account, in allocation order.</summary>
    public static IReadOnlyList<AllocationEntry> Allocations(NpgsqlConnection conn, string account) =>
        conn.Query<AllocationEntry>(AllocationRows + " WHERE a.account_id = @account ORDER BY a.id", new { account }).AsList();

    /// <summary>The payments and credit notes put against one invoice, in allocation order.</summary>
    public static IReadOnlyList<AllocationEntry> AllocationsTo(NpgsqlConnection conn, long invoiceId) =>
        conn.Query<AllocationEntry>(AllocationRows + " WHERE a.invoice_id = @invoiceId ORDER BY a.id", new { invoiceId }).AsList();
}
