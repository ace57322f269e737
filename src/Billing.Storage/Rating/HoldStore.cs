using Billing.Core.Rating;
using Dapper;
using Npgsql;

namespace Billing.Storage.Rating;

/// <summary>Usage held instead of charged (<c>rating_holds</c>), with the catalogue version that was tried, for later runs to try again.</summary>
public static class HoldStore
{
    /// <summary>
    /// Holds <paramref name="holds"/>, each with its usage record's number and event time (found in <paramref name="usage"/>, which
    /// holds every held record): what the bill run counts held usage by, without looking usage up by id.
    /// </summary>
    public static void Save(NpgsqlTransaction tx, IReadOnlyList<RatingHold> holds, IEnumerable<UsageToRate> usage, int? catalogVersion)
    {
        ArgumentNullException.ThrowIfNull(holds);
        ArgumentNullException.ThrowIfNull(usage);
        if (holds.Count == 0)
        {
            return;
        }

        var ids = holds.Select(h => h.UsageId).ToHashSet();
        var held = new Dictionary<long, UsageToRate>(ids.Count);
        foreach (var u in usage.Where(u => ids.Contains(u.Id)))
        {
            held[u.Id] = u;
        }

        UsageToRate Of(RatingHold h) => held.TryGetValue(h.UsageId, out var u) ? u : throw new ArgumentException($"held usage record {h.UsageId} is not among the records given", nameof(usage));
        tx.Connection!.Execute("""
            INSERT INTO rating_holds (usage_id, reason, detail, catalog_version, msisdn, start_utc)
            SELECT id, reason, detail, @catalogVersion, msisdn, start_utc
            FROM unnest(@ids, @reasons, @details, @msisdns, @starts) AS h(id, reason, detail, msisdn, start_utc)
            ON CONFLICT (usage_id) DO UPDATE SET reason = EXCLUDED.reason, detail = EXCLUDED.detail,
                catalog_version = EXCLUDED.catalog_version, msisdn = EXCLUDED.msisdn, start_utc = EXCLUDED.start_utc,
                last_tried_at = now(), attempts = rating_holds.attempts + 1
            """, new
        {
            ids = holds.Select(h => h.UsageId).ToArray(),
            reasons = holds.Select(h => h.Reason).ToArray(),
            details = holds.Select(h => h.Detail).ToArray(),
            msisdns = holds.Select(h => Of(h).Msisdn).ToArray(),
            starts = holds.Select(h => Of(h).Start.ToDateTimeUtc()).ToArray(),
            catalogVersion,
        }, tx);
    }

    /// <summary>Clears the holds of records now charged; only records read with a hold (or not read by the candidate query) can have one.</summary>
    public static void Release(NpgsqlTransaction tx, IReadOnlyList<RatedUsage> charged)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(charged);
        var ids = charged.Where(r => r.Usage.MayBeHeld).Select(r => r.Usage.Id).ToArray();
        if (ids.Length > 0)
        {
            tx.Connection!.Execute("DELETE FROM rating_holds WHERE usage_id = ANY(@ids)", new { ids }, tx);
        }
    }

    /// <summary>
    /// Marks the holds of these numbers to be tried again by the next run: an accounts import that rewrites a subscription
    /// (its plan, its account) may have lifted a cause that rating otherwise tries again only under another catalogue
    /// version (<see cref="HeldUsage.MayRate"/>): an unknown plan, no tariff or timing in the old plan, a wallet's currency.
    /// A record held again keeps its hold, stamped with the catalogue it was tried under, so it is tried once more, not in every run.
    /// </summary>
    public static void TryAgainFor(NpgsqlTransaction tx, IReadOnlyCollection<string> msisdns)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(msisdns);
        if (msisdns.Count == 0)
        {
            return;
        }

        tx.Connection!.Execute("""
            UPDATE rating_holds SET catalog_version = NULL
            WHERE msisdn = ANY(@msisdns) AND catalog_version IS NOT NULL AND reason <> ALL(@retriedAnyway)
            """, new { msisdns = msisdns.ToArray(), retriedAnyway = new[] { HoldReasons.UnknownSubscriber, HoldReasons.Suspended } }, tx);
    }

    public static IReadOnlyList<(string Reason, long Count, string Example)> ByReason(NpgsqlConnection conn) =>
        conn.Query<(string, long, string)>("SELECT reason, count(*), min(detail) FROM rating_holds GROUP BY reason ORDER BY count(*) DESC").AsList();

    /// <summary>Whether usage record <paramref name="usageId"/> exists, and why it is held if it is (null: not held).</summary>
    public static (bool Exists, string? Reason, string? Detail) Find(NpgsqlConnection conn, long usageId) =>
        conn.QuerySingle<(bool, string?, string?)>("""
            SELECT EXISTS (SELECT 1 FROM usage WHERE id = @usageId), (SELECT reason FROM rating_holds WHERE usage_id = @usageId),
                   (SELECT detail FROM rating_holds WHERE usage_id = @usageId)
            """, new { usageId });
}
