using Billing.Core.Catalog;
using Billing.Core.Money;
using Billing.Core.Prepaid;
using NodaTime;

namespace Billing.Core.Rating;

/// <summary>A usage record placed in the bill cycle (by its start) of the subscriber it is rated for.</summary>
public readonly record struct UsageInCycle(UsageToRate Usage, LocalDate Cycle)
{
    public long SubscriptionId => Usage.Subscriber!.SubscriptionId;
}

/// <summary>A usage record not charged, and why (<see cref="HoldReasons"/>).</summary>
public sealed record RatingHold(long UsageId, string Reason, string Detail);

/// <summary>A bundle bought in a cycle: from <paramref name="At"/> on, <paramref name="Amount"/> more of allowance <paramref name="AllowanceId"/>.</summary>
public sealed record AllowancePurchase(Instant At, string AllowanceId, long Amount);

/// <summary>Where one allowance of a subscription stands in one cycle: granted (the plan's, plus bundles bought) and used.</summary>
public sealed record AllowanceBalance(long SubscriptionId, string AllowanceId, LocalDate Cycle, long Granted, long Used);

/// <summary>
/// What rating a batch needs besides its usage, read before it is computed: the catalogue versions in
/// force at its events, the allowance used so far per (subscription, allowance, cycle), the bundles
/// bought per (subscription, cycle) in the order they were bought, and the currency of each existing
/// wallet by account.
/// </summary>
public sealed record RatingInputs(
    CatalogTimeline Catalogs,
    IReadOnlyDictionary<(long Sub, string Allowance, LocalDate Cycle), long> Used,
    IReadOnlyDictionary<(long Sub, LocalDate Cycle), IReadOnlyList<AllowancePurchase>> Bought,
    IReadOnlyDictionary<string, Currency> Wallets);

/// <summary>What rating a batch came to: the charges to store, the allowance balances they leave, the records held.</summary>
public sealed record CycleRating(IReadOnlyList<RatedUsage> Charges, IReadOnlyList<AllowanceBalance> Balances, IReadOnlyList<RatingHold> Holds);

/// <summary>
/// Rating's sequencing (pure): usage is rated per (subscription, bill cycle) in event-time order —
/// start, then usage id — because allowances are consumed in that order; a batch that brings an
/// event earlier than one already rated in its cycle makes the whole cycle be rated again.
/// </summary>
public static class CycleSequencer
{
    /// <summary>
    /// Places each record of a batch in its subscriber's bill cycle; a record with no subscriber at
    /// its time is held (<see cref="HoldReasons.UnknownSubscriber"/>); so is one of a subscriber that dunning
    /// has suspended when <paramref name="suspended"/> says to hold such usage (<see cref="HoldReasons.Suspended"/>).
    /// </summary>
    public static (List<UsageInCycle> Placed, List<RatingHold> Holds) Place(IReadOnlyCollection<UsageToRate> batch, SuspendedUsage suspended = SuspendedUsage.Rate)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var placed = new List<UsageInCycle>(batch.Count);
        var holds = new List<RatingHold>();
        foreach (var u in batch)
        {
            if (u.Subscriber is not { } subscriber)
            {
                holds.Add(new RatingHold(u.Id, HoldReasons.UnknownSubscriber, $"no subscription for {u.Msisdn} at {u.Start}"));
                continue;
            }

            if (suspended == SuspendedUsage.Hold && u.SuspendedSince is { } since)
            {
                holds.Add(new RatingHold(u.Id, HoldReasons.Suspended,
                    $"+{u.Msisdn} suspended by dunning since {since.ToString("uuuu-MM-dd", System.Globalization.CultureInfo.InvariantCulture)} (dunning.suspendedUsage = hold): rated once reactivated"));
                continue;
            }

            placed.Add(new UsageInCycle(u, subscriber.CycleAt(u.Start)));
        }

        return (placed, holds);
    }

    /// <summary>
    /// The (subscription, cycle) pairs of a batch that are late: their earliest new event comes before
    /// the latest one already rated there. Event-time order is (start, usage id), the order a cycle is
    /// rated in: an event in the same instant as the last rated one but with a lower id is late too, or
    /// the result would depend on which range happened to be rated first (two processes, per-file continuations).
    /// </summary>
    public static IReadOnlyList<(long Sub, LocalDate Cycle)> LateCycles(
        IEnumerable<UsageInCycle> placed, IReadOnlyDictionary<(long Sub, LocalDate Cycle), (Instant Start, long UsageId)> latestRated)
    {
        ArgumentNullException.ThrowIfNull(placed);
        ArgumentNullException.ThrowIfNull(latestRated);
        var earliestNew = new Dictionary<(long, LocalDate), (Instant Start, long Id)>();
        foreach (var (u, cycle) in placed)
        {
            var key = (u.Subscriber!.SubscriptionId, cycle);
            if (!earliestNew.TryGetValue(key, out var at) || u.Start < at.Start || (u.Start == at.Start && u.Id < at.Id))
            {
                earliestNew[key] = (u.Start, u.Id);
            }
        }

        var late = new List<(long, LocalDate)>();
        foreach (var (key, first) in earliestNew)
        {
            if (latestRated.TryGetValue(key, out var last) && (first.Start < last.Start || (first.Start == last.Start && first.Id < last.UsageId)))
            {
                late.Add(key);
            }
        }

        return late;
    }

    /// <summary>
    /// Why usage before every catalogue version is held, and the fix: a version loaded without --effective takes effect when
    /// it is loaded, so yesterday's usage is older than it; the date to give is the event's (UTC).
    /// </summary>
    public static string NoCatalogDetail(Instant start) =>
        $"no catalogue version is in force at {start}: load the catalogue with --effective {start.InUtc().Date:uuuu-MM-dd} or earlier " +
        "(a version loaded without --effective takes effect when it is loaded, later than this usage)";

    /// <summary>
    /// Rates each (subscription, cycle) group in event-time order, starting from the allowance already
    /// used in that cycle; a bundle bought in the cycle counts from the moment it was bought. Each record
    /// is priced by the catalogue version in force at its start. A prepaid record whose plan prices in
    /// another currency than its wallet is held (<see cref="WalletCurrency"/>). The charges carry no parts (what is
    /// stored lets an explanation compute them again).
    /// </summary>
    public static CycleRating Rate(IReadOnlyCollection<UsageInCycle> work, RatingInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(inputs);
        var (catalogs, used, bought, wallets) = inputs;
        var charges = new List<RatedUsage>(work.Count);
        var holds = new List<RatingHold>();
        var balances = new List<AllowanceBalance>();
        var ordered = InEventOrder(work);
        // A (subscription, cycle) group is one run of the ordered records: its balances are kept here and added to the
        // batch's when the run ends, in the order they were first set, as a dictionary of the whole batch would list them.
        var cycleBalances = new CycleBalances();
        var remaining = new Dictionary<string, long>(StringComparer.Ordinal);
        Plan? plan = null;
        var planVersion = 0;
        IReadOnlyList<AllowancePurchase>? purchases = null;
        var nextPurchase = 0;
        Dictionary<string, long>? boughtSoFar = null;
        for (var i = 0; i < ordered.Length; i++)
        {
            var (u, cycle) = ordered[i];
            var subscriber = u.Subscriber!;
            var sub = subscriber.SubscriptionId;
            if (i == 0 || ordered[i - 1].SubscriptionId != sub || ordered[i - 1].Cycle != cycle)
            {
                cycleBalances.MoveTo(balances);
                cycleBalances.Start(sub, cycle);
                remaining = new Dictionary<string, long>(StringComparer.Ordinal);
                plan = null;
                purchases = bought.GetValueOrDefault((sub, cycle));
                nextPurchase = 0;
                boughtSoFar = null;
            }

            var version = catalogs.InForce(u.Start);
            if (version is null)
            {
                holds.Add(new RatingHold(u.Id, HoldReasons.NoCatalog, NoCatalogDetail(u.Start)));
                continue;
            }

            // The group's first event, or the first under a newer version (whose plan may grant otherwise): the grant of the
            // version in force, less what the cycle has used so far — the same whether the events before it were rated in
            // this batch or an earlier one.
            if ((plan is null || planVersion != version.Id) && version.Catalog.Plans.TryGetValue(subscriber.PlanId, out var inForce))
            {
                // Bundles bought up to this event count from the start; later ones as the events reach them.
                for (; purchases is not null && nextPurchase < purchases.Count && purchases[nextPurchase].At <= u.Start; nextPurchase++)
                {
                    boughtSoFar ??= new Dictionary<string, long>(StringComparer.Ordinal);
                    boughtSoFar[purchases[nextPurchase].AllowanceId] = boughtSoFar.GetValueOrDefault(purchases[nextPurchase].AllowanceId) + purchases[nextPurchase].Amount;
                }

                plan = inForce;
                planVersion = version.Id;
                remaining = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var a in plan.Allowances)
                {
                    var spent = cycleBalances.UsedOf(a.Id) ?? used.GetValueOrDefault((sub, a.Id, cycle));
                    var granted = a.Amount + (boughtSoFar?.GetValueOrDefault(a.Id) ?? 0);
                    remaining[a.Id] = Math.Max(0, granted - spent);
                    // A newer catalogue may grant less than the cycle has already used: granted never drops below used.
                    if (granted > 0 || spent > 0)
                    {
                        cycleBalances.Set(a.Id, Math.Max(granted, spent), spent);
                    }
                }
            }
            else if (plan is not null)
            {
                for (; purchases is not null && nextPurchase < purchases.Count && purchases[nextPurchase].At <= u.Start; nextPurchase++)
                {
                    var (_, allowance, amount) = purchases[nextPurchase];
                    boughtSoFar ??= new Dictionary<string, long>(StringComparer.Ordinal);
                    boughtSoFar[allowance] = boughtSoFar.GetValueOrDefault(allowance) + amount;
                    if (remaining.ContainsKey(allowance))
                    {
                        remaining[allowance] += amount;
                        cycleBalances.Buy(allowance, amount);
                    }
                }
            }

            if (subscriber.Prepaid && version.Catalog.Plans.TryGetValue(subscriber.PlanId, out var pricing)
                && WalletCurrency.Problem(pricing, subscriber, wallets.GetValueOrDefault(subscriber.AccountId)) is { } problem)
            {
                holds.Add(new RatingHold(u.Id, HoldReasons.WalletCurrency, problem));
                continue;
            }

            var outcome = version.Rater.Rate(subscriber.PlanId, u.Request, remaining, withParts: false);
            if (outcome.Charge is { } charge)
            {
                charges.Add(new RatedUsage(u, cycle, version.Id, charge));
                if (charge.AllowanceId is { } aid)
                {
                    cycleBalances.Use(aid, charge.AllowanceUsed);
                }
            }
            else
            {
                holds.Add(new RatingHold(u.Id, outcome.FailureReason!, outcome.FailureDetail ?? ""));
            }
        }

        cycleBalances.MoveTo(balances);
        return new CycleRating(charges, balances, holds);
    }

    /// <summary>
    /// The records in (subscription, cycle) groups, each in event-time order (start, then usage id). A batch is a few
    /// hundred thousand records of a few thousand groups, read in usage id order, which follows event time within a
    /// number: so the records are dealt into their groups, keeping the order they came in, the groups are put in
    /// (subscription, cycle) order, and only a group found out of event-time order is sorted — in the usual batch,
    /// none, where sorting the whole batch compared each record some seventeen times.
    /// </summary>
    private static UsageInCycle[] InEventOrder(IReadOnlyCollection<UsageInCycle> work)
    {
        var groupOf = new Dictionary<(long Sub, LocalDate Cycle), int>();
        var keys = new List<(long Sub, LocalDate Cycle)>();
        var sizes = new List<int>();
        // Rented: a batch's group numbers are megabytes, and a new array that size each batch is garbage for a full collection.
        var groupOfRecord = System.Buffers.ArrayPool<int>.Shared.Rent(work.Count);
        try
        {
            var n = 0;
            foreach (var w in work)
            {
                var key = (w.SubscriptionId, w.Cycle);
                if (!groupOf.TryGetValue(key, out var g))
                {
                    g = keys.Count;
                    groupOf.Add(key, g);
                    keys.Add(key);
                    sizes.Add(0);
                }

                sizes[g]++;
                groupOfRecord[n++] = g;
            }

            var groups = new int[keys.Count];
            for (var g = 0; g < groups.Length; g++)
            {
                groups[g] = g;
            }

            Array.Sort(groups, (a, b) => keys[a].Sub != keys[b].Sub ? keys[a].Sub.CompareTo(keys[b].Sub) : keys[a].Cycle.CompareTo(keys[b].Cycle));
            var next = new int[keys.Count];
            var at = 0;
            foreach (var g in groups)
            {
                next[g] = at;
                at += sizes[g];
            }

            var ordered = new UsageInCycle[n];
            var i = 0;
            foreach (var w in work)
            {
                ordered[next[groupOfRecord[i++]]++] = w;
            }

            // next[g] is now where group g ends.
            foreach (var g in groups)
            {
                var group = ordered.AsSpan(next[g] - sizes[g], sizes[g]);
                if (!InOrder(group))
                {
                    group.Sort(static (a, b) => a.Usage.Start != b.Usage.Start ? a.Usage.Start.CompareTo(b.Usage.Start) : a.Usage.Id.CompareTo(b.Usage.Id));
                }
            }

            return ordered;
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(groupOfRecord);
        }
    }

    /// <summary>Whether a group's records are in event-time order already: start, then usage id.</summary>
    private static bool InOrder(ReadOnlySpan<UsageInCycle> group)
    {
        for (var k = 1; k < group.Length; k++)
        {
            var (a, b) = (group[k - 1].Usage, group[k].Usage);
            if (a.Start > b.Start || (a.Start == b.Start && a.Id > b.Id))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The allowance balances of one (subscription, cycle) group while it is rated, in the order each was first set
    /// (a plan has a few allowances: a list searched by id beats hashing a key per charge).
    /// </summary>
    private sealed class CycleBalances
    {
        private readonly List<(string Allowance, long Granted, long Used)> _entries = [];
        private long _sub;
        private LocalDate _cycle;

        public void Start(long sub, LocalDate cycle)
        {
            _sub = sub;
            _cycle = cycle;
        }

        /// <summary>Sets an allowance's balance (added after the others when it has none yet).</summary>
        public void Set(string allowance, long granted, long used) => Put(IndexOf(allowance), allowance, granted, used);

        /// <summary>What the cycle has used of an allowance so far, if it has a balance here.</summary>
        public long? UsedOf(string allowance) => IndexOf(allowance) is var i and >= 0 ? _entries[i].Used : null;

        /// <summary>A bundle bought: <paramref name="amount"/> more granted (from nothing when the allowance has no balance yet).</summary>
        public void Buy(string allowance, long amount)
        {
            var i = IndexOf(allowance);
            var (granted, used) = i < 0 ? (0L, 0L) : (_entries[i].Granted, _entries[i].Used);
            Put(i, allowance, granted + amount, used);
        }

        /// <summary>A charge used <paramref name="amount"/> of an allowance that has a balance (one with none keeps none).</summary>
        public void Use(string allowance, long amount)
        {
            var i = IndexOf(allowance);
            if (i >= 0)
            {
                Put(i, allowance, _entries[i].Granted, _entries[i].Used + amount);
            }
        }

        /// <summary>Adds the group's balances to <paramref name="balances"/> and empties it.</summary>
        public void MoveTo(List<AllowanceBalance> balances)
        {
            foreach (var (allowance, granted, used) in _entries)
            {
                balances.Add(new AllowanceBalance(_sub, allowance, _cycle, granted, used));
            }

            _entries.Clear();
        }

        /// <summary>The balance at <paramref name="i"/> replaced, or (at -1) added after the others.</summary>
        private void Put(int i, string allowance, long granted, long used)
        {
            if (i < 0)
            {
                _entries.Add((allowance, granted, used));
            }
            else
            {
                _entries[i] = (allowance, granted, used);
            }
        }

        private int IndexOf(string allowance)
        {
            for (var i = 0; i < _entries.Count; i++)
            {
                if (string.Equals(_entries[i].Allowance, allowance, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
