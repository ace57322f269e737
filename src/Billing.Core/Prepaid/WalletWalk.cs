using Billing.Core.Notifications;
using NodaTime;

namespace Billing.Core.Prepaid;

/// <summary>A ledger movement already posted after the wallet's watermark (a top-up, say): it is in the balance, and the walk applies it at its time.</summary>
public sealed record WalletMovement(Instant At, decimal Amount, string Kind);

/// <summary>Where a wallet stands before a batch of charges is walked.</summary>
/// <param name="Balance">the ledger's sum, including <paramref name="Pending"/>.</param>
/// <param name="Watermark">the event time of the latest usage debited so far.</param>
/// <param name="LastTopUp">the latest top-up at or before the watermark (for expiry).</param>
/// <param name="LastExpiry">when credit last expired.</param>
/// <param name="Pending">movements later than the watermark, in time order.</param>
/// <param name="Zone">the account's time zone, whose calendar days credit lasts for; null: UTC.</param>
public sealed record WalletOpening(
    string AccountId,
    decimal Balance,
    Instant? Watermark,
    Instant? LastTopUp,
    Instant? LastExpiry,
    Instant? BarredSince,
    IReadOnlyList<WalletMovement> Pending,
    DateTimeZone? Zone = null);

/// <summary>
/// A priced usage record to take from a wallet. <paramref name="Amount"/> is the charge, or for a
/// record charged before (<paramref name="Rerate"/>) the difference against what it was charged —
/// negative when a re-rate lowered it; <paramref name="Overdrawn"/> is what of the earlier charge went to overdraft.
/// </summary>
public sealed record WalletCharge(long UsageId, string Msisdn, Instant At, decimal Amount, PrepaidPolicy Policy, bool Rerate = false, decimal Overdrawn = 0m, string? Key = null);

/// <summary>A ledger row to post. Amount is signed: negative debits the wallet.</summary>
public sealed record WalletPosting(string Kind, long? UsageId, string? Msisdn, Instant At, decimal Amount, decimal BalanceAfter);

/// <summary>Usage (or part of it) priced beyond the wallet's floor: owed, for collections.</summary>
public sealed record OverdraftEntry(long UsageId, string Msisdn, Instant At, decimal Amount, string Reason);

/// <summary>Something to tell the subscriber; <paramref name="Key"/> names it so it is created once. <paramref name="Balance"/> is the balance at that moment on the event-time line.</summary>
public sealed record WalletNotice(string Kind, string Key, Instant At, string? Msisdn, decimal Balance, decimal? Threshold, decimal? Amount);

public sealed record WalletWalkResult(
    IReadOnlyList<WalletPosting> Postings,
    IReadOnlyList<OverdraftEntry> Overdraft,
    IReadOnlyList<WalletNotice> Notices,
    decimal Balance,
    Instant? Watermark,
    Instant? LastTopUp,
    Instant? LastExpiry,
    Instant? BarredSince);

/// <summary>
/// Debits a wallet in event-time order (pure). The walk starts from the balance at the watermark
/// (the ledger's sum minus movements posted for later moments, such as a top-up made after the
/// last rated call) and goes through the charges in (event time, usage id) order, applying each
/// pending movement when its moment comes. So a top-up between two calls of one file pays for
/// the second call and not the first.
/// <list type="bullet">
/// <item>A charge takes what the wallet has above its floor; the rest is overdraft (reason
/// <c>barred</c> at zero, <c>credit-limit</c> below it). Reaching the floor bars the subscriber
/// from that moment; a top-up that lifts the balance above the floor ends it.</item>
/// <item>A posting that takes the balance from above a threshold to at or below it creates one
/// notice — for the lowest threshold it crossed; the floor is always a threshold (kind
/// <c>exhausted</c> at zero, <c>credit-limit</c> below). A threshold notifies again only after the
/// balance has been above it again, because only a fall through it creates a notice.</item>
/// <item>With an expiry policy, credit left when an event comes later than the last top-up plus the
/// expiry days is forfeited at that moment (kind <c>expiry</c>) first.</item>
/// <item>A charge earlier than the watermark (a late file) is debited against the balance as it
/// stands: the ledger never rewrites the past.</item>
/// <item>A negative charge (a re-rate that lowered a price) first cancels overdraft of that record,
/// then credits the wallet.</item>
/// </list>
/// </summary>
public static class WalletWalk
{
    public const string Usage = "usage";
    public const string Rerate = "rerate";
    public const string Expiry = "expiry";
    public const string TopUp = "topup";

    /// <param name="until">also let credit expire up to this moment (the daily expiry run), with <paramref name="policy"/>;
    /// an expiry moves the watermark to it, so the ledger's expiry row is never pending.</param>
    public static WalletWalkResult Walk(WalletOpening opening, IEnumerable<WalletCharge> charges, Instant? until = null, PrepaidPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(opening);
        ArgumentNullException.ThrowIfNull(charges);
        var ordered = InEventOrder(charges);
        var postings = new List<WalletPosting>(ordered.Count);
        var overdraft = new List<OverdraftEntry>();
        var notices = new List<WalletNotice>();

        var actual = opening.Balance;                                        // the ledger's sum as postings are added
        var running = opening.Balance - opening.Pending.Sum(p => p.Amount);  // the balance on the event-time line
        var pending = 0;
        var watermark = opening.Watermark;
        var lastTopUp = opening.LastTopUp;
        var lastExpiry = opening.LastExpiry;
        var barredSince = opening.BarredSince;
        var floor = ordered.Count > 0 ? ordered[0].Policy.Floor : 0m;

        void Expire(Instant until, PrepaidPolicy policy, string? msisdn)
        {
            if (policy.ExpiryDays is not { } days || lastTopUp is not { } topUp)
            {
                return;
            }

            var at = ExpiryOf(topUp, days, opening.Zone ?? DateTimeZone.Utc);
            if (at > until || (lastExpiry is { } e && e >= at))
            {
                return;
            }

            lastExpiry = at;
            if (running <= 0m)
            {
                return;
            }

            var amount = running;
            running = 0m;
            actual -= amount;
            postings.Add(new WalletPosting(Expiry, null, null, at, -amount, actual));
            notices.Add(new WalletNotice(NotificationKinds.Expired, $"expiry:{opening.AccountId}:{at.ToUnixTimeTicks()}", at, msisdn, running, null, amount));
            if (running <= policy.Floor && barredSince is null)
            {
                barredSince = at;
            }
        }

        void ApplyPending(Instant until, PrepaidPolicy policy, string? msisdn)
        {
            while (pending < opening.Pending.Count && opening.Pending[pending].At <= until)
            {
                var m = opening.Pending[pending++];
                Expire(m.At, policy, msisdn);
                running += m.Amount;
                if (m.Kind == TopUp && (lastTopUp is null || m.At > lastTopUp))
                {
                    lastTopUp = m.At;
                }

                if (running > policy.Floor)
                {
                    barredSince = null;
                }
            }
        }

        foreach (var c in ordered)
        {
            var rules = c.Policy;
            floor = rules.Floor;
            ApplyPending(c.At, rules, c.Msisdn);
            Expire(c.At, rules, c.Msisdn);
            var before = running;
            var kind = c.Rerate ? Rerate : Usage;
            if (c.Amount >= 0m)
            {
                var debit = Math.Min(c.Amount, Math.Max(0m, running - floor));
                var over = c.Amount - debit;
                if (debit != 0m)
                {
                    running -= debit;
                    actual -= debit;
                    postings.Add(new WalletPosting(kind, c.UsageId, c.Msisdn, c.At, -debit, actual));
                }

                if (over != 0m)
                {
                    overdraft.Add(new OverdraftEntry(c.UsageId, c.Msisdn, c.At, over, rules.BarsAtZero ? "barred" : "credit-limit"));
                }

                if (running <= floor && barredSince is null)
                {
                    barredSince = c.At;
                }
            }
            else
            {
                var refund = -c.Amount;
                var fromOverdraft = Math.Min(refund, Math.Max(0m, c.Overdrawn));
                if (fromOverdraft != 0m)
                {
                    overdraft.Add(new OverdraftEntry(c.UsageId, c.Msisdn, c.At, -fromOverdraft, "rerate"));
                }

                var credit = refund - fromOverdraft;
                if (credit != 0m)
                {
                    running += credit;
                    actual += credit;
                    postings.Add(new WalletPosting(kind, c.UsageId, c.Msisdn, c.At, credit, actual));
                }

                if (running > floor)
                {
                    barredSince = null;
                }
            }

            if (Crossed(before, running, rules) is { } threshold)
            {
                notices.Add(new WalletNotice(NoticeKind(threshold, rules), c.Key ?? $"{kind}:{c.UsageId}", c.At, c.Msisdn, running, threshold, null));
            }

            if (watermark is null || c.At > watermark)
            {
                watermark = c.At;
            }
        }

        if (until is { } end)
        {
            var p = policy ?? (ordered.Count > 0 ? ordered[^1].Policy : PrepaidPolicy.Default);
            floor = p.Floor;
            var expiredBefore = lastExpiry;
            ApplyPending(end, p, null);
            Expire(end, p, null);
            if (lastExpiry != expiredBefore && (watermark is null || lastExpiry > watermark))
            {
                watermark = lastExpiry;
            }
        }

        // Movements after the last charge stay pending; only whether the wallet is barred now depends on them.
        if (actual > floor)
        {
            barredSince = null;
        }

        return new WalletWalkResult(postings, overdraft, notices, actual, watermark, lastTopUp, lastExpiry, barredSince);
    }

    /// <summary>The charges by (event time, usage id), ties in the order given: a sort in place (that pair almost always names
    /// one charge of a wallet's batch), and a stable one only when it does not.</summary>
    private static List<WalletCharge> InEventOrder(IEnumerable<WalletCharge> charges)
    {
        var given = charges as IReadOnlyCollection<WalletCharge> ?? charges.ToList();
        var ordered = new List<WalletCharge>(given);
        ordered.Sort(ByEventTime);
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ByEventTime(ordered[i - 1], ordered[i]) == 0)
            {
                return given.OrderBy(c => c.At).ThenBy(c => c.UsageId).ToList();
            }
        }

        return ordered;
    }

    private static int ByEventTime(WalletCharge a, WalletCharge b) => a.At != b.At ? a.At.CompareTo(b.At) : a.UsageId.CompareTo(b.UsageId);

    /// <summary>
    /// When credit topped up at <paramref name="topUp"/> expires: <paramref name="days"/> calendar days later at the same
    /// local time in <paramref name="zone"/> (the account's), so a change of the clocks in between neither lengthens nor
    /// shortens it by an hour; a local time the clocks skip is taken forward.
    /// </summary>
    public static Instant ExpiryOf(Instant topUp, int days, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return topUp.InZone(zone).LocalDateTime.PlusDays(days).InZoneLeniently(zone).ToInstant();
    }

    /// <summary>The notice a fall through <paramref name="threshold"/> gives: low balance above the floor; at it, exhausted (barred at zero) or credit limit reached.</summary>
    public static string NoticeKind(decimal threshold, PrepaidPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return threshold > policy.Floor ? NotificationKinds.LowBalance : policy.BarsAtZero ? NotificationKinds.Exhausted : NotificationKinds.CreditLimit;
    }

    /// <summary>The lowest threshold (the floor included) the balance fell through: above it before, at or below it after.</summary>
    public static decimal? Crossed(decimal before, decimal after, PrepaidPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (after >= before)
        {
            return null;
        }

        decimal? lowest = null;
        foreach (var t in policy.Thresholds.Append(policy.Floor))
        {
            if (t >= policy.Floor && before > t && after <= t && (lowest is null || t < lowest))
            {
                lowest = t;
            }
        }

        return lowest;
    }
}
