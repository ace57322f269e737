using Billing.Core.Catalog;
using Billing.Core.Cycles;
using Billing.Core.Rating;
using Billing.Jobs.Prepaid;
using Billing.Notifications;
using Billing.Storage;
using NodaTime;
using Serilog;

namespace Billing.Jobs.Rating;

/// <summary>What a re-rate changed for one account: what its usage in the re-rated cycles was billed at, and now.</summary>
public sealed record RerateAccountDelta(string Account, long Records, decimal Before, decimal After, long Adjustments)
{
    public decimal Delta => After - Before;
}

public sealed record RerateResult(bool DryRun, long Cycles, long Records, long Held, IReadOnlyList<RerateAccountDelta> Accounts);

/// <param name="PartitionsSkipped">subscriber partitions another process was rating: it rates them itself.</param>
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
/// tried again by later runs once the cause may be gone.
/// </summary>
public sealed class RateUsageJob(BillingDatabase db, CatalogCache catalogs, Func<NotificationTemplates>? templates = null)
{
    /// <summary>Usage ids per transaction; a partition's pass finds about 1/<see cref="RatingStore.Partitions"/> of them.</summary>
    public const int DefaultRangeSize = 200_000;

    private readonly ILogger _log = Log.ForContext<RateUsageJob>();

    private readonly WalletPoster _wallets = new(catalogs, templates ?? DefaultTemplates);

    private static readonly Lazy<NotificationTemplates> Shipped = new(() => NotificationTemplates.Load(NotificationTemplates.Locate(null)));

    /// <summary>The layouts in templates/notifications (the working directory's, else the copy shipped with the program).</summary>
    public static NotificationTemplates DefaultTemplates() => Shipped.Value;

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
        long rated = 0, held = 0, rerated = 0, skipped = 0, debits = 0, overdrafts = 0, notifications = 0;
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
                    debits += r.WalletDebits;
                    overdrafts += r.Overdrafts;
                    notifications += r.Notifications;
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

        var result = new RatingRunResult(rated, held, rerated, skipped, heldByReason) { WalletDebits = debits, Overdrafts = overdrafts, Notifications = notifications };
        _log.Information("Rating run: {Rated} rated, {ReRated} re-rated in event-time order, {Held} held, {Skipped} partitions rated by another process; prepaid: {Debits} debited, {Overdrafts} overdraft, {Notifications} notifications",
            rated, rerated, held, skipped, debits, overdrafts, notifications);
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
        void Hold(UsageToRate u, string reason, string detail)
        {
            holds.Add((u.Id, reason, detail));
            heldByReason[reason] = heldByReason.GetValueOrDefault(reason) + 1;
        }

        var withSubscriber = new List<(UsageToRate Usage, LocalDate Cycle)>();
        foreach (var u in candidates)
        {
            if (u.Subscriber is not { } subscriber)
            {
                Hold(u, "unknown-subscriber", $"no subscription for {u.Msisdn} at {u.Start}");
                continue;
            }

            withSubscriber.Add((u, subscriber.CycleAt(u.Start)));
        }

        var tCycles = sw.Elapsed;
        var tLock = sw.Elapsed;
        var keys = withSubscriber.Select(x => (x.Usage.Subscriber!.SubscriptionId, x.Cycle)).ToHashSet();
        var latestRated = RatingStore.LatestRated(tx, keys);
        long rerated = 0;
        var work = new List<(UsageToRate Usage, LocalDate Cycle)>(withSubscriber);
        var earliestNew = new Dictionary<(long, LocalDate), (Instant Start, long Id)>();
        foreach (var (u, cycle) in withSubscriber)
        {
            var key = (u.Subscriber!.SubscriptionId, cycle);
            if (!earliestNew.TryGetValue(key, out var at) || u.Start < at.Start || (u.Start == at.Start && u.Id < at.Id))
            {
                earliestNew[key] = (u.Start, u.Id);
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
        var subs = keys.Select(k => k.Item1).Distinct().ToList();
        var used = RatingStore.Used(tx, subs);
        var bought = RatingStore.Purchases(tx, subs);
        var tUsed = sw.Elapsed;
        var (charges, balances) = RateInOrder(tx.Connection!, work, used, bought, Hold);
        var tRate = sw.Elapsed;
        var wallets = PostToWallets(tx, charges, work, Hold);
        var tWallets = sw.Elapsed;
        RatingStore.InsertCharges(tx, charges);
        var tInsert = sw.Elapsed;
        RatingStore.SaveBalances(tx, balances.Select(b => (b.Key.Sub, b.Key.Allowance, b.Key.Cycle, b.Value.Granted, b.Value.Used)));
        RatingStore.Hold(tx, holds, latest ?? 0);
        _log.Debug("Rating range phases (s): query {Q} cycles {C} lock {L} late {La} used {U} rate {R} wallets {W} insert {I} end {E}; {Candidates} candidates, {Debits} wallet debits, {Overdrafts} overdraft", tQuery.TotalSeconds, (tCycles - tQuery).TotalSeconds, (tLock - tCycles).TotalSeconds, (tLate - tLock).TotalSeconds, (tUsed - tLate).TotalSeconds, (tRate - tUsed).TotalSeconds, (tWallets - tRate).TotalSeconds, (tInsert - tWallets).TotalSeconds, (sw.Elapsed - tInsert).TotalSeconds, candidates.Count, wallets.Debited, wallets.Overdrawn);
        return new RatingRunResult(charges.Count, holds.Count, rerated, 0, heldByReason)
        {
            WalletDebits = wallets.Debited,
            Overdrafts = wallets.Overdrawn,
            Notifications = wallets.Notifications,
        };
    }

    /// <summary>Takes the batch's prepaid charges from their wallets; a charge the wallet cannot take is held instead of stored.</summary>
    private WalletBatchResult PostToWallets(Npgsql.NpgsqlTransaction tx, List<RatedUsage> charges, IEnumerable<(UsageToRate Usage, LocalDate Cycle)> work, Action<UsageToRate, string, string> hold)
    {
        var result = _wallets.Post(tx, charges, work.Where(w => w.Usage.Retaken).Select(w => w.Usage).ToList());
        if (result.Held.Count > 0)
        {
            var held = result.Held.Select(c => c.Usage.Id).ToHashSet();
            charges.RemoveAll(c => held.Contains(c.Usage.Id));
            foreach (var c in result.Held)
            {
                hold(c.Usage, WalletPoster.WalletCurrencyHold, $"the charge is in {c.Charge.Currency} but account {c.Usage.Subscriber!.AccountId}'s wallet is not: the plan's currency must be the account's");
            }
        }

        return result;
    }

    /// <summary>
    /// Re-prices the usage of [from, to) (optionally one account) with the catalogue versions in force
    /// now, e.g. after a tariff fix. Allowances are per cycle, so every bill cycle with usage in the
    /// period is rated again as a whole, in event-time order. Charges not yet invoiced are replaced;
    /// a charge on an issued invoice stays as it is, and its difference (against the charge and any
    /// earlier adjustments, so nothing is counted twice) is recorded in rerate_adjustments for the
    /// next bill run. A dry run does all of it in a transaction that it rolls back.
    /// </summary>
    public RerateResult Rerate(Instant from, Instant to, string? account, bool dryRun)
    {
        using var conn = db.Open();
        RatingStore.LockAllPartitions(conn);
        try
        {
            using var tx = conn.BeginTransaction();
            catalogs.Refresh(conn);
            var keys = RatingStore.CyclesWithChargesIn(tx, from, to, account);
            var before = RatingStore.BilledAmounts(tx, keys);
            var work = new List<(UsageToRate Usage, LocalDate Cycle)>();
            var invoiced = new List<RatingStore.InvoicedCharge>();
            foreach (var (sub, cycle) in keys)
            {
                invoiced.AddRange(RatingStore.InvoicedCharges(tx, sub, cycle));
                work.AddRange(RatingStore.TakeBackCycle(tx, sub, cycle).Select(u => (u, cycle)));
            }

            var holds = new List<(long, string, string)>();
            var subs = keys.Select(k => k.Sub).Distinct().ToList();
            var used = RatingStore.Used(tx, subs);
            var (charges, balances) = RateInOrder(conn, work, used, RatingStore.Purchases(tx, subs), (u, reason, detail) => holds.Add((u.Id, reason, detail)));
            PostToWallets(tx, charges, work, (u, reason, detail) => holds.Add((u.Id, reason, detail)));
            RatingStore.InsertCharges(tx, charges);
            RatingStore.SaveBalances(tx, balances.Select(b => (b.Key.Sub, b.Key.Allowance, b.Key.Cycle, b.Value.Granted, b.Value.Used)));
            RatingStore.Hold(tx, holds, catalogs.LatestVersionId(conn));

            // An invoiced record keeps the allowance it was given; only its price is looked at again.
            var adjustments = new List<(RatingStore.InvoicedCharge, decimal, int)>();
            var after = charges.ToDictionary(c => c.Usage.Id, c => c.Charge.Amount);
            foreach (var inv in invoiced)
            {
                var version = catalogs.InForce(conn, inv.Usage.Start);
                var covered = inv.AllowanceId is null ? null : new Dictionary<string, long>(StringComparer.Ordinal) { [inv.AllowanceId] = inv.AllowanceUsed };
                var outcome = version?.Rater.Rate(inv.Usage.Subscriber!.PlanId, inv.Usage.Request, covered);
                var price = outcome?.Charge?.Amount ?? inv.BilledAmount;
                after[inv.Usage.Id] = price;
                if (price != inv.BilledAmount)
                {
                    adjustments.Add((inv, price, version!.Id));
                }
            }

            RatingStore.InsertAdjustments(tx, adjustments);
            var byAccount = before.GroupBy(b => b.Value.Account, StringComparer.Ordinal)
                .Select(g => new RerateAccountDelta(
                    g.Key,
                    g.LongCount(),
                    g.Sum(x => x.Value.Amount),
                    g.Sum(x => after.GetValueOrDefault(x.Key)),
                    adjustments.LongCount(a => a.Item1.Usage.Subscriber!.AccountId == g.Key)))
                .OrderBy(a => a.Account, StringComparer.Ordinal)
                .ToList();
            if (dryRun)
            {
                tx.Rollback();
            }
            else
            {
                tx.Commit();
            }

            _log.Information("Re-rate {From}–{To} {Account}: {Cycles} cycles, {Records} records, {Held} held, dry run {DryRun}",
                from, to, account ?? "all accounts", keys.Count, before.Count, holds.Count, dryRun);
            return new RerateResult(dryRun, keys.Count, before.Count, holds.Count, byAccount);
        }
        finally
        {
            RatingStore.UnlockAllPartitions(conn);
        }
    }

    /// <summary>
    /// Rates each (subscription, cycle) group in event-time order — (start, usage id) — starting from
    /// the allowance already used in that cycle; a bundle bought in the cycle counts from the moment
    /// it was bought. Returns the charges and the balances to store.
    /// </summary>
    private (List<RatedUsage> Charges, Dictionary<(long Sub, string Allowance, LocalDate Cycle), (long Granted, long Used)> Balances) RateInOrder(
        Npgsql.NpgsqlConnection conn,
        IEnumerable<(UsageToRate Usage, LocalDate Cycle)> work,
        IReadOnlyDictionary<(long Sub, string Allowance, LocalDate Cycle), long> used,
        IReadOnlyDictionary<(long Sub, LocalDate Cycle), List<(Instant At, string Allowance, long Amount)>> bought,
        Action<UsageToRate, string, string> hold)
    {
        var charges = new List<RatedUsage>(work is ICollection<(UsageToRate, LocalDate)> w ? w.Count : 0);
        var balances = new Dictionary<(long Sub, string Allowance, LocalDate Cycle), (long Granted, long Used)>();
        // One sort into (subscription, cycle) groups, each in event-time order (start, then usage id).
        var ordered = work.ToArray();
        Array.Sort(ordered, static (x, y) =>
        {
            var c = x.Usage.Subscriber!.SubscriptionId.CompareTo(y.Usage.Subscriber!.SubscriptionId);
            if (c == 0)
            {
                c = x.Cycle.CompareTo(y.Cycle);
            }

            if (c == 0)
            {
                c = x.Usage.Start.CompareTo(y.Usage.Start);
            }

            return c != 0 ? c : x.Usage.Id.CompareTo(y.Usage.Id);
        });
        var remaining = new Dictionary<string, long>(StringComparer.Ordinal);
        Plan? plan = null;
        List<(Instant At, string Allowance, long Amount)>? purchases = null;
        var nextPurchase = 0;
        for (var i = 0; i < ordered.Length; i++)
        {
            var (u, cycle) = ordered[i];
            var sub = u.Subscriber!.SubscriptionId;
            if (i == 0 || ordered[i - 1].Usage.Subscriber!.SubscriptionId != sub || ordered[i - 1].Cycle != cycle)
            {
                remaining = new Dictionary<string, long>(StringComparer.Ordinal);
                plan = null;
                purchases = bought.GetValueOrDefault((sub, cycle));
                nextPurchase = 0;
            }

            var version = catalogs.InForce(conn, u.Start);
            if (version is null)
            {
                hold(u, "no-catalog", $"no catalogue version is in force at {u.Start}: load one with `billing catalog load`");
                continue;
            }

            if (plan is null && version.Catalog.Plans.TryGetValue(u.Subscriber!.PlanId, out plan))
            {
                // Bundles bought up to this first event count from the start; later ones as the events reach them.
                var boughtSoFar = new Dictionary<string, long>(StringComparer.Ordinal);
                for (; purchases is not null && nextPurchase < purchases.Count && purchases[nextPurchase].At <= u.Start; nextPurchase++)
                {
                    boughtSoFar[purchases[nextPurchase].Allowance] = boughtSoFar.GetValueOrDefault(purchases[nextPurchase].Allowance) + purchases[nextPurchase].Amount;
                }

                foreach (var a in plan.Allowances)
                {
                    var spent = used.GetValueOrDefault((sub, a.Id, cycle));
                    var granted = a.Amount + boughtSoFar.GetValueOrDefault(a.Id);
                    remaining[a.Id] = Math.Max(0, granted - spent);
                    // A newer catalogue may grant less than the cycle has already used: granted never drops below used.
                    if (granted > 0 || spent > 0)
                    {
                        balances[(sub, a.Id, cycle)] = (Math.Max(granted, spent), spent);
                    }
                }
            }
            else if (plan is not null)
            {
                for (; purchases is not null && nextPurchase < purchases.Count && purchases[nextPurchase].At <= u.Start; nextPurchase++)
                {
                    var (_, allowance, amount) = purchases[nextPurchase];
                    if (remaining.ContainsKey(allowance))
                    {
                        remaining[allowance] += amount;
                        var b = balances.GetValueOrDefault((sub, allowance, cycle));
                        balances[(sub, allowance, cycle)] = (b.Granted + amount, b.Used);
                    }
                }
            }

            // A prepaid charge is taken from a wallet in the account's currency: a plan priced in another cannot be.
            if (u.Subscriber!.Prepaid && version.Catalog.Plans.TryGetValue(u.Subscriber!.PlanId, out var pricing) && !string.Equals(pricing.Currency, u.Subscriber!.Currency.Code, StringComparison.Ordinal))
            {
                hold(u, WalletPoster.WalletCurrencyHold, $"plan {pricing.Id} prices in {pricing.Currency} but account {u.Subscriber!.AccountId}'s wallet is in {u.Subscriber!.Currency.Code}: the plan's currency must be the account's");
                continue;
            }

            var outcome = version.Rater.Rate(u.Subscriber!.PlanId, u.Request, remaining);
            if (outcome.Charge is { } charge)
            {
                charges.Add(new RatedUsage(u, cycle, version.Id, charge));
                if (charge.AllowanceId is { } aid && balances.TryGetValue((sub, aid, cycle), out var b))
                {
                    balances[(sub, aid, cycle)] = (b.Granted, b.Used + charge.AllowanceUsed);
                }
            }
            else
            {
                hold(u, outcome.FailureReason!, outcome.FailureDetail ?? "");
            }
        }

        return (charges, balances);
    }
}
