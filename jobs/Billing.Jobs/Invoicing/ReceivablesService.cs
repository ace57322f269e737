using Billing.Core.Imports;
using System.Globalization;
using Billing.Core.Invoicing;
using Billing.Core.Money;
using Billing.Mediation.Imports;
using Billing.Storage;
using Billing.Storage.Invoicing;
using NodaTime;

namespace Billing.Jobs.Invoicing;

/// <summary>Money put against an invoice.</summary>
public sealed record AllocatedTo(string Invoice, decimal Amount);

/// <summary>A payment recorded: what it settled, and what is left as credit for the next invoice.</summary>
public sealed record PaymentRecorded(PaymentRow Row, long Id, string Currency, IReadOnlyList<AllocatedTo> Allocations, decimal Credit);


/// <summary>A credit note issued: its number, the computed note, what it settled and what is left as credit.</summary>
public sealed record CreditNoteIssued(string Number, string InvoiceNumber, string AccountId, LocalDate IssueDate, CreditNoteDraft Note, IReadOnlyList<AllocatedTo> Allocations, decimal Credit);

/// <summary>Either the credit note issued or, in one line, why none was.</summary>
public sealed record CreditNoteOutcome(CreditNoteIssued? Issued, string? Refusal);

/// <summary>
/// Receivables in: payments (`billing payments add|import`) and credit notes (`billing credit-note`).
/// Each call is one transaction that records, then allocates the account's unallocated money
/// (<see cref="ReceivablesStore.AllocateCredit"/>: a named invoice first, else open invoices oldest
/// first; the rest is credit the next issued invoice takes).
/// </summary>
public sealed class ReceivablesService(BillingDatabase db, InvoicingOptions options, IClock clock)
{
    /// <summary>
    /// Records the payments: every row is checked against its account (it exists; the currency, if
    /// given, is the account's; the amount suits it; a named invoice is an issued invoice of the
    /// account), then all are recorded and allocated, or none — also when <paramref name="readErrors"/>
    /// (the rows the file reader refused) has any: then every problem is returned, by line.
    /// </summary>
    public EntryResult<PaymentRecorded, PaymentRow> RecordPayments(IReadOnlyList<PaymentRow> rows, string by, IReadOnlyList<ImportError>? readErrors = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var conn = db.Open();
        using var tx = conn.BeginTransaction();
        var accounts = ReceivablesStore.Accounts(conn, [.. rows.Select(r => r.AccountId).Distinct(StringComparer.Ordinal)], tx);
        var invoices = ReceivablesStore.InvoiceAccounts(conn, [.. rows.Select(r => r.Invoice).OfType<string>().Distinct(StringComparer.Ordinal)], tx);
        var (payments, errors) = AccountEntries.Check(rows, r => (r.Line, r.AccountId), accounts, readErrors, (row, account, currency, problems) =>
        {
            if (row.Currency is { } given && given != currency.Code)
            {
                problems.Add($"currency {given} is not account {row.AccountId}'s ({currency.Code})");
            }
            else if (EnteredAmount.Problem(row.Amount, currency, AmountSign.Positive, options.AmountCeiling) is { } amountProblem)
            {
                problems.Add(amountProblem);
            }

            if (row.Invoice is { } number && (!invoices.TryGetValue(number, out var owner) || owner != row.AccountId))
            {
                problems.Add(owner is null ? $"no issued invoice {number}" : $"invoice {number} is account {owner}'s, not {row.AccountId}'s");
            }

            var reference = row.Reference.Length > 0 ? row.Reference : NewReference(row.PaidAt);
            return new PaymentIn(reference, row.AccountId, row.Amount, currency.Code, row.PaidAt, row.Invoice, row.Line);
        });
        if (errors.Count > 0)
        {
            return new([], [], errors);
        }

        var added = ReceivablesStore.AddPayments(tx, [.. payments.Select(p => p.In)], by);
        ReceivablesStore.AllocateCredit(tx, [.. payments.Where(p => added.ContainsKey(p.In.Reference)).Select(p => p.In.AccountId).Distinct(StringComparer.Ordinal)]);
        var allocations = ReceivablesStore.AllocationsOf(conn, [.. added.Values], [], tx).ToLookup(a => a.PaymentId);
        tx.Commit();
        var recorded = payments.Where(p => added.ContainsKey(p.In.Reference))
            .Select(p => Recorded(p.Row with { Reference = p.In.Reference }, added[p.In.Reference], p.In.Currency, allocations[added[p.In.Reference]]))
            .ToList();
        return new(recorded, [.. payments.Where(p => !added.ContainsKey(p.In.Reference)).Select(p => p.Row)], []);
    }

    /// <summary>
    /// Issues a credit note against issued invoice <paramref name="invoiceNumber"/>: of
    /// <paramref name="amount"/> (gross, tax included) or of line <paramref name="line"/> in full,
    /// numbered from its own gapless series, and allocated (its invoice first). Refused (nothing
    /// stored, no number taken) without a reason, for an invoice not issued, or beyond what the
    /// invoice still has uncredited.
    /// </summary>
    public CreditNoteOutcome IssueCreditNote(string invoiceNumber, decimal? amount, int? line, string reason, string by)
    {
        ArgumentNullException.ThrowIfNull(invoiceNumber);
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Refused("a credit note needs a reason (--reason TEXT): it is printed on the note and kept");
        }

        if ((amount is null) == (line is null))
        {
            return Refused("give either --amount X (gross, tax included) or --line N (that line of the invoice in full)");
        }

        using var conn = db.Open();
        using var tx = conn.BeginTransaction();
        var invoice = CreditNoteStore.LockForCredit(tx, invoiceNumber);
        if (invoice is null)
        {
            return Refused($"no issued invoice {invoiceNumber} (a draft cannot be credited: discard or recompute it)");
        }

        var decision = amount is { } gross ? CreditNoteCalculator.ForAmount(invoice.Invoice, gross) : CreditNoteCalculator.ForLine(invoice.Invoice, line!.Value);
        if (decision.Note is not { } note)
        {
            return Refused(decision.Refusal!.Reason);
        }

        var issueDate = clock.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb[invoice.TimeZone]).Date;
        var format = new InvoiceNumberFormat(options.CreditNoteNumbers);
        var number = format.Format(issueDate.Year, InvoiceStore.TakeNumbers(tx, CreditNoteStore.Series, format.CounterYear(issueDate.Year), 1));
        var id = CreditNoteStore.Issue(tx, new CreditNoteToIssue(invoice.Id, invoice.AccountId, number, issueDate, reason.Trim(), by, note));
        ReceivablesStore.AllocateCredit(tx, [invoice.AccountId]);
        var allocations = ReceivablesStore.AllocationsOf(conn, [], [id], tx);
        tx.Commit();
        var settled = allocations.Select(a => new AllocatedTo(a.Invoice, a.Amount)).ToList();
        return new CreditNoteOutcome(new CreditNoteIssued(number, invoiceNumber, invoice.AccountId, issueDate, note, settled, -note.Total.Amount - settled.Sum(a => a.Amount)), null);
    }

    /// <summary>A reference for a payment entered without one: unique, and saying when it was paid.</summary>
    private static string NewReference(Instant paidAt) =>
        $"manual-{paidAt.InUtc().ToString("uuuuMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}"[..32];

    private static PaymentRecorded Recorded(PaymentRow row, long id, string currency, IEnumerable<SourceAllocation> allocations)
    {
        var settled = allocations.Select(a => new AllocatedTo(a.Invoice, a.Amount)).ToList();
        return new PaymentRecorded(row, id, currency, settled, row.Amount - settled.Sum(a => a.Amount));
    }

    private static CreditNoteOutcome Refused(string reason) => new(null, reason);
}
