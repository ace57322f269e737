using System.Text.Json;
using Billing.Core.Cycles;
using Billing.Core.Invoicing;
using Billing.Core.Money;
using Billing.Core.Usage;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Invoicing;

/// <summary>A draft as the approval compares it with its recomputation.</summary>
public sealed record StoredDraft
{
    public long Id { get; init; }
    public string AccountId { get; init; } = "";
    public LocalDate CycleStart { get; init; }
    public string Fingerprint { get; init; } = "";
}

/// <summary>A computed draft with what the run report shows beside it and the last overdraft row it bills.</summary>
public sealed record DraftToSave(InvoiceDraft Draft, decimal? PreviousTotal, long? OverdraftThrough);

/// <summary>An invoice number given at issue.</summary>
public sealed record IssuedNumber(long InvoiceId, string AccountId, string Number);

/// <summary>
/// Invoices: drafts written in bulk (binary COPY of lines), replaced while drafts, issued with a
/// gapless number and immutable afterwards (the database refuses changes to issued rows).
/// </summary>
public static partial class InvoiceStore
{
    /// <summary>
    /// Replaces the drafts of these accounts' cycles with the computed ones (the old draft of an
    /// (account, cycle) is deleted, its lines with it). Invoices, lines and taxes go in by binary COPY.
    /// </summary>
    public static IReadOnlyList<long> SaveDrafts(NpgsqlTransaction tx, long runId, IReadOnlyList<DraftToSave> drafts)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(drafts);
        if (drafts.Count == 0)
        {
            return [];
        }

        var conn = tx.Connection!;
        // One probe of the drafts' (account, cycle) index per draft; as a plain join the planner, seeing a table
        // that was empty when last analysed, scanned every draft of the run for each batch.
        conn.Execute("""
            DELETE FROM invoices i WHERE i.id IN (
                SELECT d.id FROM unnest(@accounts, @cycles) AS k(account, cycle)
                CROSS JOIN LATERAL (
                    SELECT x.id FROM invoices x WHERE x.account_id = k.account AND x.cycle_start = k.cycle AND x.status = 'draft' OFFSET 0) d)
            """, new
        {
            accounts = drafts.Select(d => d.Draft.AccountId).ToArray(),
            cycles = drafts.Select(d => d.Draft.Cycle.Start.ToDateOnly()).ToArray(),
        }, tx);

        // Ids first (one round trip), so that invoices, lines and taxes can all be copied.
        var ids = conn.Query<long>("SELECT nextval(pg_get_serial_sequence('invoices', 'id')) FROM generate_series(1, @n)", new { n = drafts.Count }, tx).AsList();
        // Encoded by BinaryCopyWriter: through Npgsql's importer, binding each of a batch's 250,000 values was
        // the largest part of the draft's own CPU.
        using (var copy = BinaryCopyWriter.Begin(conn, """
            COPY invoices (id, run_id, account_id, cycle_start, cycle_end, status, currency, issue_date, due_date, subtotal, tax, total,
                           previous_balance, payments_and_credits, amount_due, previous_total, overdraft_through, warnings, errors, fingerprint)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < drafts.Count; i++)
            {
                var (d, previousTotal, overdraftThrough) = drafts[i];
                copy.StartRow(20);
                copy.Write(ids[i]);
                copy.Write(runId);
                copy.Write(d.AccountId);
                copy.Write(d.Cycle.Start);
                copy.Write(d.Cycle.End);
                copy.Write("draft");
                copy.Write(d.Currency.Code);
                copy.Write(d.IssueDate);
                copy.Write(d.DueDate);
                copy.Write(d.Subtotal.Amount);
                copy.Write(d.Tax.Amount);
                copy.Write(d.Total.Amount);
                copy.Write(d.PreviousBalance.Amount);
                copy.Write(d.PaymentsAndCredits.Amount);
                copy.Write(d.AmountDue.Amount);
                copy.WriteNullable(previousTotal);
                copy.WriteNullable(overdraftThrough);
                copy.WriteJsonb(Notes(d.Warnings.Select(w => (Code(w.Code), w.Message))));
                copy.WriteJsonb(Notes(d.Errors.Select(e => (Code(e.Code), e.Message))));
                copy.Write(InvoiceFingerprint.Of(d));
            }

            copy.Complete();
        }

        using (var copy = BinaryCopyWriter.Begin(conn, """
            COPY invoice_lines (invoice_id, line_no, kind, description, subscription_id, msisdn, plan_id, service, destination_group,
                                quantity, allowance_used, charge_count, exact_amount, period_start, period_end, tax_category, amount,
                                fee_id, rule_id, original_invoice, source_ids)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < drafts.Count; i++)
            {
                foreach (var l in drafts[i].Draft.Lines)
                {
                    copy.StartRow(21);
                    copy.Write(ids[i]);
                    copy.Write(l.Number);
                    copy.Write(l.Kind.Code());
                    copy.Write(l.Description);
                    copy.WriteNullable(l.SubscriptionId is { } s ? long.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : null);
                    copy.WriteNullable(l.Msisdn);
                    copy.WriteNullable(l.PlanId);
                    copy.WriteNullable(l.Service is { } service ? (short)service : null);
                    copy.WriteNullable(l.DestinationGroup);
                    copy.WriteNullable(l.Quantity);
                    copy.WriteNullable(l.AllowanceUsed);
                    copy.Write(l.ChargeCount);
                    copy.WriteNullable(l.ExactAmount);
                    copy.Write(l.PeriodStart);
                    copy.Write(l.PeriodEnd);
                    copy.Write(l.TaxCategory);
                    copy.Write(l.Amount.Amount);
                    copy.WriteNullable(l.FeeId);
                    copy.WriteNullable(l.RuleId);
                    copy.WriteNullable(l.OriginalInvoiceNumber);
                    copy.WriteTextArray(l.SourceIds);
                }
            }

            copy.Complete();
        }

        using (var copy = BinaryCopyWriter.Begin(conn, "COPY invoice_taxes (invoice_id, category, name, rate, base, amount) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < drafts.Count; i++)
            {
                foreach (var t in drafts[i].Draft.Taxes)
                {
                    copy.StartRow(6);
                    copy.Write(ids[i]);
                    copy.Write(t.Category);
                    copy.Write(t.Name);
                    copy.Write(t.Rate);
                    copy.Write(t.Base.Amount);
                    copy.Write(t.Amount.Amount);
                }
            }

            copy.Complete();
        }

        return ids;
    }

    /// <summary>
    /// Those of <paramref name="accounts"/> not billed for the cycle starting <paramref name="cycleStart"/>, by the rule a run's
    /// plan applies (<see cref="BillRunStore.NotBilled"/>), in id order.
    /// </summary>
    public static IReadOnlyList<string> NotIssued(NpgsqlTransaction tx, IReadOnlyCollection<string> accounts, LocalDate cycleStart) =>
        tx.Connection!.Query<string>($"""
            SELECT a.id FROM unnest(@accounts) AS a(id)
            WHERE {BillRunStore.NotBilled}
            ORDER BY a.id COLLATE "C"
            """, new { accounts = accounts.ToArray(), cycleStart }, tx).AsList();

    /// <summary>
    /// The drafts of these accounts for the cycle starting <paramref name="cycleStart"/>, locked for the approval; not those
    /// whose cycle, or a later one, an invoice issued since has billed (they would bill its charges again): they stay drafts,
    /// for `bill-run discard`.
    /// </summary>
    public static IReadOnlyList<StoredDraft> LockDrafts(NpgsqlTransaction tx, IReadOnlyCollection<string> accounts, LocalDate cycleStart) =>
        tx.Connection!.Query<StoredDraft>("""
            SELECT d.id, d.account_id, d.cycle_start, d.fingerprint FROM invoices d
            WHERE d.account_id = ANY(@accounts) AND d.cycle_start = @cycleStart AND d.status = 'draft'
              AND NOT EXISTS (SELECT 1 FROM invoiced_cycles c WHERE c.account_id = d.account_id AND c.cycle_start >= @cycleStart)
            ORDER BY d.account_id FOR UPDATE OF d
            """, new { accounts = accounts.ToArray(), cycleStart }, tx).AsList();

    /// <summary>Marks drafts the approval found changed since they were computed (they wait for a person).</summary>
    public static void MarkChanged(NpgsqlTransaction tx, IReadOnlyCollection<long> invoiceIds)
    {
        if (invoiceIds.Count > 0)
        {
            tx.Connection!.Execute("UPDATE invoices SET changed_since_draft = true WHERE id = ANY(@ids) AND status = 'draft'", new { ids = invoiceIds.ToArray() }, tx);
        }
    }

    /// <summary>
    /// Takes the next <paramref name="count"/> numbers of a series and year: the counter row is locked
    /// until the transaction ends, so concurrent issuers queue, and a rollback gives the numbers back.
    /// Returns the first sequence number of the block.
    /// </summary>
    public static long TakeNumbers(NpgsqlTransaction tx, string series, int year, int count)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var last = tx.Connection!.ExecuteScalar<long>("""
            INSERT INTO document_counters (series, year, last_seq) VALUES (@series, @year, @count)
            ON CONFLICT (series, year) DO UPDATE SET last_seq = document_counters.last_seq + EXCLUDED.last_seq
            RETURNING last_seq
            """, new { series, year, count }, tx);
        return last - count + 1;
    }

    /// <summary>
    /// Issues drafts: number, status, the balance recomputed at approval, and the things they bill
    /// marked as invoiced (late charges, one-time charges, re-rate adjustments).
    /// </summary>
    public static void Issue(NpgsqlTransaction tx, IReadOnlyList<(long InvoiceId, string Number, InvoiceDraft Draft, IssuedInputs Billed)> issues)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (issues.Count == 0)
        {
            return;
        }

        var conn = tx.Connection!;
        conn.Execute("""
            UPDATE invoices i SET status = 'issued', number = k.number, issued_at = now(), previous_balance = k.previous,
                   payments_and_credits = k.paid, amount_due = k.due, changed_since_draft = false
            FROM unnest(@ids, @numbers, @previous, @paid, @due) AS k(id, number, previous, paid, due)
            WHERE i.id = k.id AND i.status = 'draft'
            """, new
        {
            ids = issues.Select(x => x.InvoiceId).ToArray(),
            numbers = issues.Select(x => x.Number).ToArray(),
            previous = issues.Select(x => x.Draft.PreviousBalance.Amount).ToArray(),
            paid = issues.Select(x => x.Draft.PaymentsAndCredits.Amount).ToArray(),
            due = issues.Select(x => x.Draft.AmountDue.Amount).ToArray(),
        }, tx);

        var cycles = issues.SelectMany(x => x.Billed.Cycles.Select(c => (x.InvoiceId, x.Draft.AccountId, c))).ToList();
        conn.Execute("""
            INSERT INTO invoiced_cycles (account_id, cycle_start, invoice_id)
            SELECT * FROM unnest(@accounts, @cycles, @invoices)
            """, new
        {
            accounts = cycles.Select(c => c.AccountId).ToArray(),
            cycles = cycles.Select(c => c.c.ToDateOnly()).ToArray(),
            invoices = cycles.Select(c => c.InvoiceId).ToArray(),
        }, tx);

        var late = issues.SelectMany(x => x.Billed.LateUsageIds.Select(u => (x.InvoiceId, u))).ToList();
        if (late.Count > 0)
        {
            conn.Execute("""
                UPDATE rated_charges r SET invoice_id = k.invoice FROM unnest(@invoices, @usage) AS k(invoice, usage_id)
                WHERE r.usage_id = k.usage_id AND r.late AND r.invoice_id IS NULL
                """, new { invoices = late.Select(l => l.InvoiceId).ToArray(), usage = late.Select(l => l.u).ToArray() }, tx);
        }

        var charges = issues.SelectMany(x => x.Billed.AccountChargeIds.Select(c => (x.InvoiceId, c))).ToList();
        if (charges.Count > 0)
        {
            conn.Execute("""
                UPDATE account_charges c SET invoice_id = k.invoice FROM unnest(@invoices, @ids) AS k(invoice, id)
                WHERE c.id = k.id AND c.invoice_id IS NULL
                """, new { invoices = charges.Select(l => l.InvoiceId).ToArray(), ids = charges.Select(l => l.c).ToArray() }, tx);
        }

        var adjustments = issues.SelectMany(x => x.Billed.RerateAdjustmentIds.Select(a => (x.InvoiceId, a))).ToList();
        if (adjustments.Count > 0)
        {
            conn.Execute("""
                UPDATE rerate_adjustments a SET posted_invoice_id = k.invoice FROM unnest(@invoices, @ids) AS k(invoice, id)
                WHERE a.id = k.id AND a.posted_invoice_id IS NULL
                """, new { invoices = adjustments.Select(l => l.InvoiceId).ToArray(), ids = adjustments.Select(l => l.a).ToArray() }, tx);
        }
    }

    /// <summary>Deletes the drafts of a run (issued invoices stay as they are).</summary>
    public static int DiscardDrafts(NpgsqlConnection conn, long runId) =>
        conn.Execute("DELETE FROM invoices WHERE run_id = @runId AND status = 'draft'", new { runId });

    /// <summary>A draft's warnings or errors as stored: [{"code", "message"}, …]; most drafts have none, stored without serialising.</summary>
    private static string Notes(IEnumerable<(string Code, string Message)> notes)
    {
        var list = notes.Select(n => new { code = n.Code, message = n.Message }).ToList();
        return list.Count == 0 ? "[]" : JsonSerializer.Serialize(list);
    }

    private static string Code<T>(T value) where T : struct, Enum =>
        JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}

/// <summary>What an invoice bills besides the cycle's own charges, marked invoiced when it is issued.</summary>
/// <param name="Cycles">the account cycles whose charges the invoice bills: its own, and earlier ones no invoice had billed.</param>
public sealed record IssuedInputs(IReadOnlyList<LocalDate> Cycles, IReadOnlyList<long> LateUsageIds, IReadOnlyList<long> AccountChargeIds, IReadOnlyList<long> RerateAdjustmentIds);
