using Billing.Core.Prepaid;
using Billing.Jobs.Rating;
using Billing.Notifications;
using Billing.Storage;
using NodaTime;
using NodaTime.Text;
using Npgsql;
using Serilog;

namespace Billing.Jobs.Prepaid;

/// <summary>What a rating batch did to wallets.</summary>
public sealed record WalletBatchResult(long Debited, long Overdrawn, long Notifications, IReadOnlyList<ChargeRow> Held);

/// <summary>
/// Takes the prepaid charges of a rating batch from their wallets, in the batch's transaction:
/// locks the wallets, walks each one's charges in event-time order (<see cref="WalletWalk"/>),
/// appends ledger rows and overdraft, and puts the notifications in the outbox. A charge whose
/// currency is not the wallet's is not taken: it is returned to be held.
/// </summary>
public sealed class WalletPoster(CatalogCache catalogs, Func<NotificationTemplates> templates)
{
    public const string WalletCurrencyHold = "wallet-currency";

    private readonly ILogger _log = Log.ForContext<WalletPoster>();

    private static readonly LocalDateTimePattern NoticeTime = LocalDateTimePattern.CreateWithInvariantCulture("yyyy-MM-dd HH:mm");

    /// <param name="retaken">the records of this batch that were rated before and taken back (a late file, a re-rate):
    /// what their wallets were charged is set against their new charge — or given back when they get none now
    /// (held, or their account is postpaid now), so a record is never charged twice.</param>
    public WalletBatchResult Post(NpgsqlTransaction tx, IReadOnlyList<ChargeRow> charges, IReadOnlyCollection<RatingCandidate>? retaken = null)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(charges);
        var prepaid = charges.Where(c => c.Usage.Prepaid).ToList();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        // Only a record rated before can have been charged: one taken back in this batch, or one that was
        // held (a charge taken back and then held gave its wallet effects back; rated again now, it must not
        // be a second 'usage' row).
        // A retaken record of a postpaid account can have been charged to a wallet only if the account was
        // prepaid before (and so has one).
        var retakenPostpaid = (retaken ?? []).Where(u => !u.Prepaid && u.AccountId is not null).ToList();
        var wallets = WalletStore.WithWallet(tx, retakenPostpaid.Select(u => u.AccountId!).Distinct(StringComparer.Ordinal).ToList());
        var lookUp = (retaken ?? []).Where(u => u.Prepaid || wallets.Contains(u.AccountId!)).Select(u => u.Id)
            .Concat(prepaid.Where(c => c.Usage.MayBeHeld).Select(c => c.Usage.Id)).Distinct().ToList();
        var charged = lookUp.Count > 0
            ? WalletStore.Charged(tx, lookUp).Where(x => x.Value.Debited != 0m || x.Value.Overdrawn != 0m || x.Value.Postings > 0).ToDictionary(x => x.Key, x => x.Value)
            : [];
        if (prepaid.Count == 0 && charged.Count == 0)
        {
            return new WalletBatchResult(0, 0, 0, []);
        }

        var conn = tx.Connection!;
        var chargedNow = prepaid.Select(c => c.Usage.Id).ToHashSet();
        var givenBack = retaken?.Where(u => charged.ContainsKey(u.Id) && !chargedNow.Contains(u.Id)).ToList() ?? [];
        var accounts = prepaid.Select(c => c.Usage.AccountId!).Concat(givenBack.Select(u => u.AccountId!)).Distinct(StringComparer.Ordinal).ToList();
        var openings = WalletStore.LockOpenings(tx, accounts, createMissing: true);
        var tLock = sw.Elapsed;
        var tCharged = sw.Elapsed;
        var held = new List<ChargeRow>();
        var walks = new List<(string Account, string Currency, WalletWalkResult Result)>();
        var byAccount = prepaid.Select(c => (c.Usage, Charge: (ChargeRow?)c)).Concat(givenBack.Select(u => (Usage: u, Charge: (ChargeRow?)null)))
            .GroupBy(x => x.Usage.AccountId!, StringComparer.Ordinal);
        foreach (var group in byAccount)
        {
            var (opening, currency) = openings[group.Key];
            var items = new List<WalletCharge>();
            foreach (var (u, c) in group)
            {
                var policy = PolicyOf(conn, u, c?.Charge.PlanId ?? u.PlanId!);
                var amount = c?.Charge.Amount ?? 0m;
                var isHeld = c is not null && !string.Equals(c.Charge.Currency, currency, StringComparison.Ordinal);
                if (isHeld)
                {
                    held.Add(c!);
                    amount = 0m; // held: what it was charged before is given back
                }

                if (charged.TryGetValue(u.Id, out var before))
                {
                    var delta = amount - (before.Debited + before.Overdrawn);
                    if (delta != 0m)
                    {
                        items.Add(new WalletCharge(u.Id, u.Msisdn, u.StartUtc, delta, policy,
                            Rerate: before.Postings > 0, Overdrawn: before.Overdrawn, Key: $"rerate:{u.Id}:{before.Debited + before.Overdrawn}"));
                    }
                }
                else if (c is not null && !isHeld)
                {
                    items.Add(new WalletCharge(u.Id, u.Msisdn, u.StartUtc, amount, policy));
                }
            }

            if (items.Count > 0)
            {
                walks.Add((group.Key, currency, WalletWalk.Walk(opening, items)));
            }
        }

        var tWalk = sw.Elapsed;
        WalletStore.Post(tx, walks);
        var tPost = sw.Elapsed;
        var notices = walks.Where(w => w.Result.Notices.Count > 0).ToList();
        var enqueued = 0;
        if (notices.Count > 0)
        {
            var holders = WalletStore.Holders(tx, notices.Select(n => n.Account).ToList());
            var limits = prepaid.GroupBy(c => c.Usage.AccountId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => PolicyOf(conn, g.First().Usage, g.First().Charge.PlanId).CreditLimit, StringComparer.Ordinal);
            var rows = notices.SelectMany(w => w.Result.Notices.Select(n => Render(templates(), holders[w.Account], n, limits.GetValueOrDefault(w.Account)))).ToList();
            enqueued = NotificationStore.Enqueue(tx, rows);
        }

        _log.Debug("Wallet phases (s): lock {L} charged {C} walk {W} post {P} notify {N}; {Accounts} wallets, {Charges} prepaid charges",
            tLock.TotalSeconds, (tCharged - tLock).TotalSeconds, (tWalk - tCharged).TotalSeconds, (tPost - tWalk).TotalSeconds, (sw.Elapsed - tPost).TotalSeconds, accounts.Count, prepaid.Count);

        return new WalletBatchResult(
            walks.Sum(w => (long)w.Result.Postings.Count(p => p.UsageId is not null)),
            walks.Sum(w => (long)w.Result.Overdraft.Count),
            enqueued,
            held);
    }

    private PrepaidPolicy PolicyOf(NpgsqlConnection conn, RatingCandidate u, string planId) =>
        catalogs.InForce(conn, u.StartUtc)?.Catalog.Plans.GetValueOrDefault(planId)?.Prepaid ?? PrepaidPolicy.Default;

    /// <summary>Renders a wallet notice in the account's language, with amounts to the currency's minor unit and times in the account's zone.</summary>
    public static NewNotification Render(NotificationTemplates templates, WalletHolder holder, WalletNotice notice, decimal creditLimit)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(notice);
        var values = Values(holder, notice.Msisdn, notice.Balance, notice.At);
        if (notice.Threshold is { } t)
        {
            values["threshold"] = NotificationTemplates.Amount(t, holder.Currency, holder.Language);
        }

        values["limit"] = NotificationTemplates.Amount(creditLimit, holder.Currency, holder.Language);
        values["amount"] = NotificationTemplates.Amount(notice.Amount ?? 0m, holder.Currency, holder.Language);
        var message = templates.Render(notice.Kind, holder.Language, values);
        return new NewNotification(holder.AccountId, notice.Msisdn, notice.Kind, holder.Language, message.Subject, message.Body, notice.Key);
    }

    /// <summary>The values every notification can use.</summary>
    public static Dictionary<string, string> Values(WalletHolder holder, string? msisdn, decimal balance, Instant at)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(holder.TimeZone) ?? DateTimeZone.Utc;
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["name"] = holder.Name,
            ["account"] = holder.AccountId,
            ["msisdn"] = msisdn is null ? holder.AccountId : "+" + msisdn,
            ["currency"] = holder.Currency,
            ["balance"] = NotificationTemplates.Amount(balance, holder.Currency, holder.Language),
            ["at"] = NoticeTime.Format(at.InZone(zone).LocalDateTime),
        };
    }
}
