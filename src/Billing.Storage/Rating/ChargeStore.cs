using Billing.Core.Rating;
using Dapper;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Storage.Rating;

/// <summary>Rated charges (<c>rated_charges</c>): one per usage record, guaranteed by the database.</summary>
public static class ChargeStore
{
    /// <summary>Writes charges by binary COPY, each with how it was priced (<see cref="ChargeExplanation"/>).</summary>
    public static void Insert(NpgsqlTransaction tx, IReadOnlyList<RatedUsage> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var conn = tx.Connection!;
        using (var copy = conn.BeginBinaryImport("""
            COPY rated_charges (usage_id, subscription_id, account_id, cycle_start, start_utc, plan_id, catalog_version, amount,
                                currency, destination_group, matched_prefix, quantity, billed_quantity, allowance_id,
                                allowance_used, explanation)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            foreach (var r in rows)
            {
                var c = r.Charge;
                copy.StartRow();
                var subscriber = r.Usage.Subscriber!;
                copy.Write(r.Usage.Id, NpgsqlDbType.Bigint);
                copy.Write(subscriber.SubscriptionId, NpgsqlDbType.Bigint);
                copy.Write(subscriber.AccountId, NpgsqlDbType.Text);
                copy.Write(r.Cycle, NpgsqlDbType.Date);
                copy.Write(r.Usage.Start, NpgsqlDbType.TimestampTz);
                copy.Write(c.PlanId, NpgsqlDbType.Text);
                copy.Write(r.CatalogVersion, NpgsqlDbType.Integer);
                copy.Write(c.Amount, NpgsqlDbType.Numeric);
                copy.Write(c.Currency, NpgsqlDbType.Char);
                copy.WriteNullable(c.DestinationGroup);
                copy.WriteNullable(c.MatchedPrefix);
                copy.Write(c.Quantity, NpgsqlDbType.Bigint);
                copy.Write(c.BilledQuantity, NpgsqlDbType.Bigint);
                copy.WriteNullable(c.AllowanceId);
                copy.Write(c.AllowanceUsed, NpgsqlDbType.Bigint);
                copy.Write(ChargeExplanation.Json(c), NpgsqlDbType.Json);
            }

            copy.Complete();
        }
    }

    /// <summary>
    /// The last charge already rated per (subscription, cycle) in event-time order — start, then usage
    /// id for events in the same instant — to tell an in-order batch from a late one.
    /// </summary>
    public static Dictionary<(long Sub, LocalDate Cycle), (Instant Start, long UsageId)> LatestRated(NpgsqlTransaction tx, IReadOnlyCollection<(long Sub, LocalDate Cycle)> keys)
    {
        var subs = keys.Select(k => k.Sub).ToArray();
        var cycles = keys.Select(k => k.Cycle.ToDateOnly()).ToArray();
        // One backward probe of the (subscription, cycle, start) index per key: the cost does not grow
        // with the charges a cycle already has (DISTINCT ON over a join read all of them).
        return tx.Connection!.Query<(long Sub, LocalDate Cycle, Instant Latest, long UsageId)>("""
            SELECT k.sub, k.cycle, r.start_utc, r.usage_id
            FROM unnest(@subs, @cycles) AS k(sub, cycle)
            CROSS JOIN LATERAL (
                SELECT r.start_utc, r.usage_id FROM rated_charges r
                WHERE r.subscription_id = k.sub AND r.cycle_start = k.cycle
                ORDER BY r.start_utc DESC, r.usage_id DESC LIMIT 1) r
            """, new { subs, cycles }, tx).ToDictionary(x => (x.Sub, x.Cycle), x => (x.Latest, x.UsageId));
    }

    /// <summary>
    /// Takes back the charges of a subscription's cycle that are on no invoice (so they are rated again,
    /// in event-time order); returns their usage ids. Invoiced charges stay. The allowance they used is
    /// given back by <see cref="AllowanceStore.Recount"/>.
    /// </summary>
    public static long[] TakeBack(NpgsqlTransaction tx, long sub, LocalDate cycle)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<long>("""
            DELETE FROM rated_charges WHERE subscription_id = @sub AND cycle_start = @cycle AND invoice_id IS NULL RETURNING usage_id
            """, new { sub, cycle }, tx).ToArray();
    }

    /// <summary>The usage ids <see cref="TakeBack"/> would take back, read without taking them: what a re-rate prices again.</summary>
    public static long[] NotInvoiced(NpgsqlTransaction tx, long sub, LocalDate cycle)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<long>("""
            SELECT usage_id FROM rated_charges WHERE subscription_id = @sub AND cycle_start = @cycle AND invoice_id IS NULL
            """, new { sub, cycle }, tx).ToArray();
    }
}
