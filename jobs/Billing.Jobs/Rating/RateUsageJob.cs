using System.ComponentModel;
using Billing.Core.Rating;
using Billing.Jobs.Catalog;
using Billing.Jobs.Prepaid;
using Billing.Notifications;
using Billing.Storage;
using Billing.Storage.Rating;
using NodaTime;
using Serilog;

namespace Billing.Jobs.Rating;

public sealed record RerateResult(bool DryRun, long Cycles, long Records, long Held, IReadOnlyList<RerateAccountDelta> Accounts);

/// <param name="PartitionsSkipped">subscriber partitions another process was rating (it rates them itself) or rated since this run began.</param>
public sealed record RatingRunResult(long Rated, long Held, long ReRated, long PartitionsSkipped, IReadOnlyDictionary<string, long> HeldByReason)
{
    /// <summary>Prepaid usage records debited from their wallets.</summary>
    public long WalletDebits { get; init; }

    /// <summary>Prepaid usage records (or parts) recorded as overdraft: priced after the wallet reached its floor.</summary>
    public long Overdrafts { get; init; }

    /// <summary>Notifications put in the outbox (thresholds, barring, expiry).</summary>
    public long Notifications { get; init; }
}

/// <summary>
/// Rates unrated usage, set-based, in id ranges: each range is one transaction, claimed with a
/// transaction lock so two processes never take the same range. Within it, each subscriber is
/// locked, and its usage is rated in event-time order per bill cycle with its allowances; if the
/// range holds events earlier than ones already rated in the same cycle (a late file), the
/// cycle's not-invoiced charges are taken back and rated again in order. One charge per usage
/// record is guaranteed by the database. Usage with no subscriber or no tariff is held, and
/// tried again by later runs once the cause may be gone; so is the usage of a subscriber dunning has
/// suspended when <paramref name="suspended"/> is <see cref="SuspendedUsage.Hold"/> (until reactivation).
/// </summary>
public sealed class RateUsageJob(BillingDatabase db, CatalogCache catalogs, Func<NotificationTemplates>? templates = null, SuspendedUsage suspended = SuspendedUsage.Rate)
{
    /// <summary>Usage ids per transaction; a round's pass finds about <see cref="RatingPartitions.PerRound"/>/<see cref="RatingPartitions.Count"/> of them.</summary>
    public const int DefaultRangeSize = 200_000;

    private static int s_runs;

    private readonly ILogger _log = Log.ForContext<RateUsageJob>();

    private readonly WalletPoster _wallets = new(templates ?? NotificationTemplates.Shipped);

    /// <summary>The Hangfire entry point (a continuation after each ingest, and `billing rate`).</summary>
    [DisplayName("Rate usage sweep")]
    public RatingRunResult Run() => RateAll(DefaultRangeSize, JobProgress.Counter("id ranges × rounds of partitions"));

    /// <summary>Hangfire continuation entry point after one file's ingest.</summary>
    [DisplayName("Rate usage of {0}/{1}")]
    public RatingRunResult RunAfterIngest(string source, string fileName) => RateIngested(source, fileName);

    /// <summary>
    /// The continuation after ingesting a file: rates the id ranges that hold the usage of the
    /// archived files of that name (with any other unrated usage in those ranges). Held usage
    /// elsewhere is left to the full run.
    /// </summary>
    public RatingRunResult RateIngested(string source, string fileName)
    {
        using var conn = db.Open();
        var (min, max) = UsageToRateStore.UsageIdRangeOfFile(conn, source, fileName);
        return RateIds(conn, min, max, DefaultRangeSize, JobProgress.Counter("id ranges × rounds of partitions"));
    }

    public RatingRunResult RateAll(int rangeSize, Action<long, long>? progress = null)
    {
        using var conn = db.Open();
        var (min, max) = UsageToRateStore.UsageIdRange(conn);
        return RateIds(conn, min, max, rangeSize, progress);
    }

    /// <summary>Rates the unrated usage with ids in [min, max] (all partitions this process can claim).</summary>
    public RatingRunResult RateIdRange(long min, long max, int rangeSize)
    {
        using var conn = db.Open();
        return RateIds(conn, min, max, rangeSize, null);
    }

    /// <summary>
    /// Work is split by subscriber: usage falls into <see cref="RatingPartitions.Count"/> partitions by
    /// a hash of its account, and a process claims whole partitions (session locks) before rating
    /// them, range after range in id order. So two processes never rate the same subscriber, each
    /// subscriber's usage is rated in the order it arrived, and the processes share the work. A process
    /// claims up to <see cref="RatingPartitions.PerRound"/> partitions at a time and reads each range once
    /// for all of them: alone it reads the usage twice, two processes at once read it once each (one
    /// partition at a time, the usage was read once per partition: four times). A partition another process swept to the end
    /// since this run began (<see cref="RatingPartitions.SweptSince"/>) is not read again: the first of two processes to finish
    /// its round would otherwise claim the other's as soon as it is let go, and scan every range of it for nothing.
    /// </summary>
    private RatingRunResult RateIds(Npgsql.NpgsqlConnection conn, long min, long max, int rangeSize, Action<long, long>? progress)
    {
        // A range below 1 would never advance (or divide by zero): the command line refuses it, a caller here is a bug.
        ArgumentOutOfRangeException.ThrowIfLessThan(rangeSize, 1);
        // After the caller read the range: a sweep begun since then saw all of it, and every hold's lifted cause this run would see.
        var startedAt = RatingPartitions.Clock(conn);
        UsageToRateStore.SummariseNewRanges(conn);
        long rated = 0, held = 0, rerated = 0, skipped = 0, debits = 0, overdrafts = 0, notifications = 0;
        var heldByReason = new Dictionary<string, long>(StringComparer.Ordinal);
        min -= ((min % rangeSize) + rangeSize) % rangeSize;
        var ranges = max < min ? 0 : ((max - min) / rangeSize) + 1;
        var done = 0L;
        // Processes by their id, the runs of one process (the benchmark's workers, Hangfire's) by their count: two at once start a round apart.
        foreach (var round in RatingPartitions.Rounds(unchecked(Environment.ProcessId + Interlocked.Increment(ref s_runs))))
        {
            var claimed = round.Where(p => RatingPartitions.TryClaim(conn, p)).ToList();
            // Rated by another process since this run began (it took them first, and is done): let go, not read again.
            foreach (var p in RatingPartitions.SweptSince(conn, claimed, startedAt, min, max, suspended))
            {
                RatingPartitions.Release(conn, p);
                claimed.Remove(p);
            }

            skipped += round.Length - claimed.Count;
            if (claimed.Count == 0)
            {
                done += ranges;
                continue;
            }

            try
            {
                var sweepStarted = RatingPartitions.Clock(conn);
                // Read once for the round's ranges (as many rows as subscriptions, instead of a lookup per usage record);
                // a run of one range, as after a file's ingest, reads only the periods of the numbers in that range.
                var periods = UsageToRateStore.Periods(conn, max - min < rangeSize ? (min, min + rangeSize - 1) : null);
                var soFar = new RatedSoFar();
                for (var from = min; from <= max; from += rangeSize)
                {
                    using var tx = conn.BeginTransaction();
                    var r = RateRange(tx, from, from + rangeSize, claimed, periods, soFar);
                    tx.Commit();
                    rated += r.Rated;
                    held += r.Held;
                    rerated += r.ReRated;
                    debits += r.WalletDebits;
                    overdrafts += r.Overdrafts;
                    notifications += r.Notifications;
                    foreach (var (reason, count) in r.HeldByReason)
                    {
                        heldByReason[reason] = heldByReason.GetValueOrDefault(reason) + count;
                    }

                    progress?.Invoke(++done, ranges * RatingPartitions.RoundsPerRun);
                }

                RatingPartitions.MarkSwept(conn, claimed, min, max, sweepStarted, suspended);
            }
            finally
            {
                foreach (var p in claimed)
                {
                    RatingPartitions.Release(conn, p);
                }
            }
        }

        var result = new RatingRunResult(rated, held, rerated, skipped, heldByReason) { WalletDebits = debits, Overdrafts = overdrafts, Notifications = notifications };
        _log.Information("Rating run: {Rated} rated, {ReRated} re-rated in event-time order, {Held} held, {Skipped} partitions rated by another process; prepaid: {Debits} debited, {Overdrafts} overdraft, {Notifications} notifications",
            rated, rerated, held, skipped, debits, overdrafts, notifications);
        return result;
    }

    private static RatingRunResult Nothing() => new(0, 0, 0, 0, new Dictionary<string, long>());

    /// <summary>
    /// Rates the unrated usage of [<paramref name="from"/>, <paramref name="to"/>) in <paramref name="partitions"/> (held by this
    /// session for the whole round, so that <paramref name="soFar"/> — the round's latest charges — stays true between ranges;
    /// a failure here ends the run, and the round's knowledge with it).
    /// </summary>
    private RatingRunResult RateRange(Npgsql.NpgsqlTransaction tx, long from, long to, IReadOnlyCollection<int> partitions, SubscriptionPeriods periods, RatedSoFar soFar)
    {
        var conn = tx.Connection!;
        if (!UsageToRateStore.AnyWithoutCharge(tx, from, to))
        {
            return Nothing();
        }

        var sw = System.Diagnostics.Stopwatch.StartNew();
        var latest = catalogs.LatestVersionId(conn);
        var batch = UsageToRateStore.Unrated(tx, from, to, latest ?? 0, partitions, periods, suspended);
        var tQuery = sw.Elapsed;
        if (batch.Count == 0)
        {
            return Nothing();
        }

        var (work, unknown) = CycleSequencer.Place(batch, suspended);
        var placed = work.Count;
        var keys = work.Select(x => (x.SubscriptionId, x.Cycle)).ToHashSet();
        var toRead = soFar.Unknown(keys);
        if (toRead.Count > 0)
        {
            soFar.Learn(toRead, ChargeStore.LatestRated(tx, toRead));
        }

        foreach (var (sub, cycle) in CycleSequencer.LateCycles(work, soFar.Of(keys)))
        {
            work.AddRange(TakeBack(tx, sub, cycle).Select(u => new UsageInCycle(u, cycle)));
        }

        var tLate = sw.Elapsed;
        var inputs = Load(tx, work, keys.Select(k => k.Item1));
        var tLoad = sw.Elapsed;
        var rating = CycleSequencer.Rate(work, inputs);
        var tRate = sw.Elapsed;
        var holds = unknown.Concat(rating.Holds).ToList();
        var wallets = Save(tx, rating with { Holds = holds }, batch, work, inputs.Catalogs, latest ?? 0);
        soFar.Stored(rating.Charges);
        _log.Debug("Rating range phases (s): query {Q} late {La} load {Lo} rate {R} save {S}; {Candidates} candidates, {Debits} wallet debits, {Overdrafts} overdraft",
            tQuery.TotalSeconds, (tLate - tQuery).TotalSeconds, (tLoad - tLate).TotalSeconds, (tRate - tLoad).TotalSeconds, (sw.Elapsed - tRate).TotalSeconds,
            batch.Count, wallets.Debited, wallets.Overdrawn);
        return new RatingRunResult(rating.Charges.Count, holds.Count, work.Count - placed, 0, CountByReason(holds))
        {
            WalletDebits = wallets.Debited,
            Overdrafts = wallets.Overdrawn,
            Notifications = wallets.Notifications,
        };
    }

    /// <summary>
    /// Reads what rating <paramref name="work"/> needs: the catalogue versions in force at its events (and
    /// at <paramref name="alsoAt"/>), the allowance its subscriptions used and bought, their wallets' currencies.
    /// </summary>
    private RatingInputs Load(Npgsql.NpgsqlTransaction tx, IReadOnlyCollection<UsageInCycle> work, IEnumerable<long> subscriptions, IEnumerable<Instant>? alsoAt = null)
    {
        var subs = subscriptions.Distinct().ToList();
        var prepaid = work.Select(w => w.Usage.Subscriber!).Where(s => s.Prepaid).Select(s => s.AccountId).Distinct(StringComparer.Ordinal).ToList();
        return new RatingInputs(
            catalogs.Timeline(tx.Connection!, work.Select(w => w.Usage.Start).Concat(alsoAt ?? [])),
            AllowanceStore.Used(tx, subs),
            AllowanceStore.Purchases(tx, subs),
            WalletStore.Currencies(tx, prepaid));
    }

    /// <summary>
    /// Stores what rating came to: takes the prepaid charges from their wallets (giving back what records
    /// rated before and held now were charged), then writes the charges, the allowance balances and the holds
    /// (each held record is in <paramref name="read"/>, the records read, or in <paramref name="work"/>).
    /// </summary>
    private WalletBatchResult Save(Npgsql.NpgsqlTransaction tx, CycleRating rating, IEnumerable<UsageToRate> read, IEnumerable<UsageInCycle> work, CatalogTimeline catalogs, int? latestCatalog)
    {
        var wallets = _wallets.Post(tx, rating.Charges, work.Where(w => w.Usage.Retaken).Select(w => w.Usage).ToList(), catalogs);
        ChargeStore.Insert(tx, rating.Charges);
        HoldStore.Release(tx, rating.Charges);
        AllowanceStore.Save(tx, rating.Balances);
        HoldStore.Save(tx, rating.Holds, read.Concat(work.Select(w => w.Usage)), latestCatalog);
        return wallets;
    }

    /// <summary>Takes back the not-invoiced charges of a subscription's cycle and the allowance they used; returns their usage records.</summary>
    private static List<UsageToRate> TakeBack(Npgsql.NpgsqlTransaction tx, long sub, LocalDate cycle)
    {
        var usage = ChargeStore.TakeBack(tx, sub, cycle);
        AllowanceStore.Recount(tx, sub, cycle);
        return usage;
    }

    private static Dictionary<string, long> CountByReason(IEnumerable<RatingHold> holds) =>
        holds.GroupBy(h => h.Reason, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.LongCount(), StringComparer.Ordinal);

    /// <summary>
    /// Re-prices the usage of [from, to) (optionally one account) with the catalogue versions in force
    /// now, e.g. after a tariff fix. Allowances are per cycle, so every bill cycle with usage in the
    /// period is rated again as a whole, in event-time order. Charges not yet invoiced are replaced;
    /// a charge on an issued invoice stays as it is, and its difference (against the charge and any
    /// earlier adjustments, so nothing is counted twice) is recorded in rerate_adjustments for the
    /// next bill run. The difference is computed first; a dry run stops there and changes nothing.
    /// </summary>
    public RerateResult Rerate(Instant from, Instant to, string? account, bool dryRun)
    {
        using var conn = db.Open();
        // Every partition: a re-rate waits for running rating, and rating waits for it.
        RatingPartitions.LockAll(conn);
        try
        {
            using var tx = conn.BeginTransaction();
            var latest = catalogs.LatestVersionId(conn);
            var cycles = RerateStore.CyclesWithChargesIn(tx, from, to, account);
            var before = RerateStore.BilledAmounts(tx, cycles);
            var invoiced = cycles.SelectMany(k => RerateStore.InvoicedCharges(tx, k.Sub, k.Cycle)).ToList();
            // Each in the cycle of the account its number's period is on now (the accounts import may have moved it to one with another cycle day).
            var work = cycles.SelectMany(k => ChargeStore.NotInvoiced(tx, k.Sub, k.Cycle).Select(u => new UsageInCycle(u, u.Subscriber!.CycleAt(u.Start)))).ToList();
            var inputs = Load(tx, work, cycles.Select(k => k.Sub), invoiced.Select(i => i.Usage.Start));

            var difference = RerateCalculator.Compute(cycles, work, invoiced, before, inputs);

            if (!dryRun)
            {
                foreach (var (sub, cycle) in cycles)
                {
                    TakeBack(tx, sub, cycle);
                }

                Save(tx, difference.Rating, [], work, inputs.Catalogs, latest);
                RerateStore.Insert(tx, difference.Adjustments);
                tx.Commit();
            }

            _log.Information("Re-rate {From}–{To} {Account}: {Cycles} cycles, {Records} records, {Held} held, dry run {DryRun}",
                from, to, account ?? "all accounts", cycles.Count, before.Count, difference.Rating.Holds.Count, dryRun);
            return new RerateResult(dryRun, cycles.Count, before.Count, difference.Rating.Holds.Count, difference.Accounts);
        }
        finally
        {
            RatingPartitions.UnlockAll(conn);
        }
    }
}
