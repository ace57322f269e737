using Billing.Core.Money;
using Billing.Core.Rating;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Rating;

/// <summary>What a re-rate reads of the charges of a period, and the adjustments it records for invoiced ones (<c>rerate_adjustments</c>).</summary>
public static class RerateStore
{
    /// <summary>The (subscription, cycle) pairs with charges for events in [from, to), optionally of one account.</summary>
    public static IReadOnlyList<(long Sub, LocalDate Cycle)> CyclesWithChargesIn(NpgsqlTransaction tx, Instant from, Instant to, string? account) =>
        tx.Connection!.Query<(long, LocalDate)>("""
            SELECT DISTINCT subscription_id, cycle_start FROM rated_charges
            WHERE start_utc >= @from AND start_utc < @to AND (@account::text IS NULL OR account_id = @account)
            ORDER BY 1, 2
            """, new { from, to, account }, tx).AsList();

    /// <summary>What each usage record of these cycles is billed at now: its charge plus any re-rating adjustments.</summary>
    public static Dictionary<long, (string Account, Money Amount)> BilledAmounts(NpgsqlTransaction tx, IReadOnlyList<(long Sub, LocalDate Cycle)> keys) =>
        tx.Connection!.Query<(long UsageId, string Account, string Currency, decimal Amount)>("""
            SELECT r.usage_id, r.account_id, r.currency, r.amount + coalesce((SELECT sum(a.delta) FROM rerate_adjustments a WHERE a.usage_id = r.usage_id), 0)
            FROM rated_charges r JOIN unnest(@subs, @cycles) AS k(sub, cycle) ON r.subscription_id = k.sub AND r.cycle_start = k.cycle
            """, new { subs = keys.Select(k => k.Sub).ToArray(), cycles = keys.Select(k => k.Cycle.ToDateOnly()).ToArray() }, tx)
            .ToDictionary(x => x.UsageId, x => (x.Account, Money.Of(x.Amount, x.Currency)));

    public static IReadOnlyList<InvoicedCharge> InvoicedCharges(NpgsqlTransaction tx, long sub, LocalDate cycle)
    {
        var rows = tx.Connection!.Query<(long UsageId, string Account, string PlanId, long InvoiceId, string Currency, string? AllowanceId, long AllowanceUsed, decimal Billed)>($"""
            SELECT r.usage_id, r.account_id, r.plan_id,
                   coalesce(r.invoice_id, (SELECT ic.invoice_id FROM invoiced_cycles ic WHERE ic.account_id = r.account_id AND ic.cycle_start = r.cycle_start)),
                   r.currency, r.allowance_id, r.allowance_used,
                   r.amount + coalesce((SELECT sum(a.delta) FROM rerate_adjustments a WHERE a.usage_id = r.usage_id), 0)
            FROM rated_charges r WHERE r.subscription_id = @sub AND r.cycle_start = @cycle AND {ChargeStore.IsInvoiced}
            """, new { sub, cycle }, tx).ToDictionary(x => x.UsageId);
        if (rows.Count == 0)
        {
            return [];
        }

        return ChargeStore.Invoiced(tx, sub, cycle)
            .Select(u => rows[u.Id] is var r ? new InvoicedCharge(u, r.Account, r.PlanId, cycle, r.InvoiceId, r.Currency, r.AllowanceId, r.AllowanceUsed, r.Billed) : null!)
            .ToList();
    }

    public static void Insert(NpgsqlTransaction tx, IReadOnlyList<RerateAdjustment> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        tx.Connection!.Execute("""
            INSERT INTO rerate_adjustments (usage_id, account_id, invoice_id, old_amount, new_amount, delta, currency, catalog_version)
            SELECT * FROM unnest(@usage, @accounts, @invoices, @olds, @news, @deltas, @currencies, @versions)
            """, new
        {
            usage = rows.Select(r => r.Charge.Usage.Id).ToArray(),
            accounts = rows.Select(r => r.Charge.Account).ToArray(),
            invoices = rows.Select(r => r.Charge.InvoiceId).ToArray(),
            olds = rows.Select(r => r.Charge.BilledAmount).ToArray(),
            news = rows.Select(r => r.NewAmount).ToArray(),
            deltas = rows.Select(r => r.Delta).ToArray(),
            currencies = rows.Select(r => r.Charge.Currency).ToArray(),
            versions = rows.Select(r => r.CatalogVersion).ToArray(),
        }, tx);
    }
}
