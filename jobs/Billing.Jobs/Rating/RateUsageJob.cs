using Billing.Core.Catalog;
using Billing.Core.Cycles;
using Billing.Core.Rating;
using Billing.Storage;
using NodaTime;
using Serilog;

namespace Billing.Jobs.Rating;

/// <param name="PartitionsSkipped">subscriber partitions another process was rating: it rates them itself.</param>
public sealed record RatingRunResult(long Rated, long Held, long ReRated, long PartitionsSkipped, IReadOnlyDictionary<string, long> HeldByReason);

/// <summary>
/// Rates unrated usage, set-based, in id ranges: each range is one transaction, claimed with a
/// transaction lock so two processes never take the same range. Within it, each subscriber is
/// locked, and its usage is rated in event-time order per bill cycle with its allowances; if the
/// range holds events earlier than ones already rated in the same cycle (a late file), the
/// cycle's not-invoiced charges are taken back and rated again in order. One charge per usage
/// record is guaranteed by the database. Usage with no subscriber or no tariff is held, and
/// tried again by later runs once the cause may be gone.
/// </summary>
public sealed class RateUsageJob(BillingDatabase db, CatalogCache catalogs)
{
    /// <summary>Usage ids per transaction; a partition's pass finds about 1/<see cref="RatingStore.Partitions"/> of them.</summary>
    public const int DefaultRangeSize = 200_000;

    private readonly ILogger _log = Log.ForContext<RateUsageJob>();

    /// <summary>The Hangfire entry point (a continuation after each ingest, and `billing rate`).</summary>
    public RatingRunResult Run() => RateAll(DefaultRangeSize);

    /// <summary>Hangfire continuation entry point after one file's ingest.</summary>
    public RatingRunResult RunAfterIngest(string source, string fileName) => RateIngested(source, fileName);

    /// <summary>
    /// The continuation after ingesting a file: rates the id ranges that hold the usage of the
    /// archived files of that name (with any other unrated usage in those ranges). Held usage
    /// elsewhere is left to the full run.
    /// </summary>
    public RatingRunResult RateIngested(string source, string fileName)
    {
        using var conn = db.Open();
        var (min, max) = RatingStore.UsageIdRangeOfFile(conn, source, fileName);
        return RateIds(conn, min, max, DefaultRangeSize, null);
    }

    public RatingRunResult RateAll(int rangeSize, Action<long, long>? progress = null)
    {
        using var conn = db.Open();
        var (min, max) = RatingStore.UsageIdRange(conn);
        return RateIds(conn, min, max, rangeSize, progress);
    }

    /// <summary>Rates the unrated usage with ids in [min, max] (all partitions this process can claim).</summary>
    public RatingRunResult RateIdRange(long min, long max, int rangeSize)
    {
        using var conn = db.Open();
        return RateIds(conn, min, max, rangeSize, null);
    }

    /// <summary>
    /// Work is split by subscriber: usage falls into <see cref="RatingStore.Partitions"/> partitions by
    /// a hash of its MSISDN, and a process claims a whole partition (a session lock) before rating
    /// it, range after range in id order. So two processes never rate the same subscriber, each
    /// subscriber's usage is rated in the order it arrived, and the processes share the work.
    /// </summary>
    private RatingRunResult RateIds(Npgsql.NpgsqlConnection conn, long min, long max, int rangeSize, Action<long, long>? progress)
    {
        long rated = 0, held = 0, rerated = 0, skipped = 0;
        var heldByReason = new Dictionary<string, long>(StringComparer.Ordinal);
        min -= ((min % rangeSize) + rangeSize) % rangeSize;
        var ranges = max < min ? 0 : ((max - min) / rangeSize) + 1;
        var done = 0L;
        var first = Environment.ProcessId % RatingStore.Partitions; // processes start apart
        for (var i = 0; i < RatingStore.Partitions; i++)
        {
            var partition = (first + i) % RatingStore.Partitions;
            if (!RatingStore.TryClaimPartition(conn, partition))
            {
                skipped++;
                continue;
            }

            try
            {
                for (var from = min; from <= max; from += rangeSize)
                {
                    using var tx = conn.BeginTransaction();
                    var r = RateRange(tx, from, from + rangeSize, partition);
                    tx.Commit();
                    rated += r.Rated;
                    held += r.Held;
                    rerated += r.ReRated;
                    foreach (var (reason, count) in r.HeldByReason)
                    {
                        heldByReason[reason] = heldByReason.GetValueOrDefault(reason) + count;
                    }

                    progress?.Invoke(++done, ranges * RatingStore.Partitions);
                }
            }
            finally
            {
                RatingStore.ReleasePartition(conn, partition);
            }
        }

        var result = new RatingRunResult(rated, held, rerated, skipped, heldByReason);
        _log.Information("Rating run: {Rated} rated, {ReRated} re-rated in event-time order, {Held} held, {Skipped} partitions rated by another process", rated, rerated, held, skipped);
        return result;
    }

    private RatingRunResult RateRange(Npgsql.NpgsqlTransaction tx, long from, long to, int partition)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var latest = catalogs.LatestVersionId(tx.Connection!);
        var candidates = RatingStore.Unrated(tx, from, to, latest ?? 0, partition);
        var tQuery = sw.Elapsed;
        if (candidates.Count == 0)
        {
            return new RatingRunResult(0, 0, 0, 0, new Dictionary<string, long>());
        }

        var holds = new List<(long, string, string)>();
        var heldByReason = new Dictionary<string, long>(StringComparer.Ordinal);
        void Hold(RatingCandidate u, string reason, string detail)
        {
            holds.Add((u.Id, reason, detail));
            heldByReason[reason] = heldByReason.GetValueOrDefault(reason) + 1;
        }

        var withSubscriber = new List<(RatingCandidate Usage, LocalDate Cycle)>();
        foreach (var u in candidates)
        {
            if (u.SubId is null)
            {
                Hold(u, "unknown-subscriber", $"no subscription for {u.Msisdn} at {u.StartUtc}");
                continue;
            }

            var zone = DateTimeZoneProviders.Tzdb[u.TimeZone!];
            withSubscriber.Add((u, BillCycle.Containing(u.StartUtc, zone, u.BillCycleDay!.Value).Start));
        }

        var tCycles = sw.Elapsed;
        var tLock = sw.Elapsed;
        var keys = withSubscriber.Select(x => (x.Usage.SubId!.Value, x.Cycle)).ToHashSet();
        var latestRated = RatingStore.LatestRated(tx, keys);
        long rerated = 0;
        var work = new List<(RatingCandidate Usage, LocalDate Cycle)>(withSubscriber);
        var earliestNew = new Dictionary<(long, LocalDate), (Instant Start, long Id)>();
        foreach (var (u, cycle) in withSubscriber)
        {
            var key = (u.SubId!.Value, cycle);
            if (!earliestNew.TryGetValue(key, out var at) || u.StartUtc < at.Start || (u.StartUtc == at.Start && u.Id < at.Id))
            {
                earliestNew[key] = (u.StartUtc, u.Id);
            }
        }

        foreach (var key in keys)
        {
            // A late event (earlier than one already rated in the same cycle) re-sequences the cycle.
            // Event-time order is (start, usage id), the order a cycle is rated in below: an event in the
            // same instant as the last rated one but with a lower id is late too, or the result would
            // depend on which range happened to be rated first (two processes, per-file continuations).
            if (latestRated.TryGetValue(key, out var last) && earliestNew[key] is var first
                && (first.Start < last.Start || (first.Start == last.Start && first.Id < last.UsageId)))
            {
                var back = RatingStore.TakeBackCycle(tx, key.Item1, key.Item2);
                rerated += back.Count;
                work.AddRange(back.Select(u => (u, key.Item2)));
            }
        }

        var tLate = sw.Elapsed;
        var used = RatingStore.Used(tx, keys.Select(k => k.Item1).Distinct().ToList());
        var tUsed = sw.Elapsed;
        var charges = new List<ChargeRow>(work.Count);
        var balances = new Dictionary<(long Sub, string Allowance, LocalDate Cycle), (long Granted, long Used)>();
        foreach (var group in work.GroupBy(x => (Sub: x.Usage.SubId!.Value, x.Cycle)))
        {
            var remaining = new Dictionary<string, long>(StringComparer.Ordinal);
            Plan? plan = null;
            foreach (var (u, cycle) in group.OrderBy(x => x.Usage.StartUtc).ThenBy(x => x.Usage.Id))
            {
                var version = catalogs.InForce(tx.Connection!, u.StartUtc);
                if (version is null)
                {
                    Hold(u, "no-catalog", $"no catalogue version is in force at {u.StartUtc}: load one with `billing catalog load`");
                    continue;
                }

                if (plan is null && version.Catalog.Plans.TryGetValue(u.PlanId!, out plan))
                {
                    foreach (var a in plan.Allowances)
                    {
                        var spent = used.GetValueOrDefault((group.Key.Sub, a.Id, cycle));
                        remaining[a.Id] = Math.Max(0, a.Amount - spent);
                        balances[(group.Key.Sub, a.Id, cycle)] = (a.Amount, spent);
                    }
                }

                var outcome = version.Rater.Rate(u.PlanId!, new RatingRequest(u.ServiceType, u.Destination, u.StartUtc, u.Quantity), remaining);
                if (outcome.Charge is { } charge)
                {
                    charges.Add(new ChargeRow(u, cycle, version.Id, charge));
                    if (charge.AllowanceId is { } aid && balances.TryGetValue((group.Key.Sub, aid, cycle), out var b))
                    {
                        balances[(group.Key.Sub, aid, cycle)] = (b.Granted, b.Used + charge.AllowanceUsed);
                    }
                }
                else
                {
                    Hold(u, outcome.FailureReason!, outcome.FailureDetail ?? "");
                }
            }
        }

        var tRate = sw.Elapsed;
        RatingStore.InsertCharges(tx, charges);
        var tInsert = sw.Elapsed;
        RatingStore.SaveBalances(tx, balances.Select(b => (b.Key.Sub, b.Key.Allowance, b.Key.Cycle, b.Value.Granted, b.Value.Used)));
        RatingStore.Hold(tx, holds, latest);
        _log.Debug("Rating range phases (s): query {Q} cycles {C} lock {L} late {La} used {U} rate {R} insert {I} end {E}", tQuery.TotalSeconds, (tCycles - tQuery).TotalSeconds, (tLock - tCycles).TotalSeconds, (tLate - tLock).TotalSeconds, (tUsed - tLate).TotalSeconds, (tRate - tUsed).TotalSeconds, (tInsert - tRate).TotalSeconds, (sw.Elapsed - tInsert).TotalSeconds);
        return new RatingRunResult(charges.Count, holds.Count, rerated, 0, heldByReason);
    }
}
