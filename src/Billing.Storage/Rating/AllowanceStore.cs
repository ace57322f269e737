using Billing.Core.Rating;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Rating;

/// <summary>An allowance of an account's latest bill cycle: granted and used so far (seconds, messages or bytes).</summary>
public sealed record AllowanceUse(string AllowanceId, LocalDate CycleStart, long Granted, long Used);

/// <summary>Allowance balances per (subscription, allowance, cycle) and the bundles bought into them.</summary>
public static class AllowanceStore
{
    /// <summary>The allowances of each of the account's subscriptions in that subscription's latest cycle, by allowance id.</summary>
    public static IReadOnlyList<AllowanceUse> LatestCycle(NpgsqlConnection conn, string accountId) =>
        conn.Query<(string Allowance, LocalDate Cycle, long Granted, long Used)>("""
            SELECT b.allowance_id, b.cycle_start, b.granted, b.used FROM allowance_balances b JOIN subscriptions s ON s.id = b.subscription_id
            WHERE s.account_id = @accountId AND b.cycle_start = (SELECT max(cycle_start) FROM allowance_balances x WHERE x.subscription_id = b.subscription_id)
            ORDER BY 1
            """, new { accountId }).Select(a => new AllowanceUse(a.Allowance, a.Cycle, a.Granted, a.Used)).ToList();

    /// <summary>Allowance used so far per (subscription, allowance, cycle).</summary>
    public static Dictionary<(long Sub, string Allowance, LocalDate Cycle), long> Used(NpgsqlTransaction tx, IReadOnlyCollection<long> subs) =>
        tx.Connection!.Query<(long Sub, string Allowance, LocalDate Cycle, long Used)>("""
            SELECT subscription_id, allowance_id, cycle_start, used FROM allowance_balances WHERE subscription_id = ANY(@subs)
            """, new { subs = subs.ToArray() }, tx).ToDictionary(x => (x.Sub, x.Allowance, x.Cycle), x => x.Used);

    /// <summary>Bundles bought per (subscription, cycle), in the order they were bought.</summary>
    public static Dictionary<(long Sub, LocalDate Cycle), IReadOnlyList<AllowancePurchase>> Purchases(NpgsqlTransaction tx, IReadOnlyCollection<long> subs)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<(long Sub, LocalDate Cycle, Instant At, string Allowance, long Amount)>("""
            SELECT subscription_id, cycle_start, bought_at, allowance_id, amount FROM allowance_purchases
            WHERE subscription_id = ANY(@subs) ORDER BY subscription_id, cycle_start, bought_at, id
            """, new { subs = subs.ToArray() }, tx)
            .GroupBy(p => (p.Sub, p.Cycle))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<AllowancePurchase>)g.Select(p => new AllowancePurchase(p.At, p.Allowance, p.Amount)).ToList());
    }

    /// <summary>
    /// Stores the balances a batch leaves. A batch gives every allowance of each subscription cycle it rated, also those still
    /// where they stood (a used-up allowance, a service the batch did not use): such rows are left alone, not written again as
    /// new row versions.
    /// </summary>
    public static void Save(NpgsqlTransaction tx, IReadOnlyList<AllowanceBalance> list)
    {
        if (list.Count == 0)
        {
            return;
        }

        tx.Connection!.Execute("""
            INSERT INTO allowance_balances (subscription_id, allowance_id, cycle_start, granted, used)
            SELECT * FROM unnest(@subs, @allowances, @cycles, @granted, @used)
            ON CONFLICT (subscription_id, allowance_id, cycle_start) DO UPDATE SET granted = EXCLUDED.granted, used = EXCLUDED.used
            WHERE (allowance_balances.granted, allowance_balances.used) IS DISTINCT FROM (EXCLUDED.granted, EXCLUDED.used)
            """, new
        {
            subs = list.Select(b => b.SubscriptionId).ToArray(),
            allowances = list.Select(b => b.AllowanceId).ToArray(),
            cycles = list.Select(b => b.Cycle.ToDateOnly()).ToArray(),
            granted = list.Select(b => b.Granted).ToArray(),
            used = list.Select(b => b.Used).ToArray(),
        }, tx);
    }

    /// <summary>Sets the balances of a subscription's cycle to what its remaining charges used (after <see cref="ChargeStore.TakeBack"/>).</summary>
    public static void Recount(NpgsqlTransaction tx, long sub, LocalDate cycle)
    {
        ArgumentNullException.ThrowIfNull(tx);
        tx.Connection!.Execute("""
            UPDATE allowance_balances b SET used = coalesce((
                SELECT sum(r.allowance_used) FROM rated_charges r
                WHERE r.subscription_id = b.subscription_id AND r.cycle_start = b.cycle_start AND r.allowance_id = b.allowance_id), 0)
            WHERE b.subscription_id = @sub AND b.cycle_start = @cycle
            """, new { sub, cycle }, tx);
    }
}
