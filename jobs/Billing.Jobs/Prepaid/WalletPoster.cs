using Billing.Core.Prepaid;
using Billing.Core.Rating;
using Billing.Notifications;
using Billing.Storage;
using Npgsql;
using Serilog;

namespace Billing.Jobs.Prepaid;

/// <summary>What a rating batch did to wallets.</summary>
public sealed record WalletBatchResult(long Debited, long Overdrawn, long Notifications);

/// <summary>
/// Takes the prepaid charges of a rating batch from their wallets, in the batch's transaction:
/// locks the wallets, walks each one's charges in event-time order (<see cref="WalletWalk"/>),
/// appends ledger rows and overdraft, and puts the notifications in the outbox. Rating has held
/// every charge in another currency than its wallet's (<see cref="WalletCurrency"/>).
/// </summary>
public sealed class WalletPoster(Func<NotificationTemplates> templates)
{
    private readonly ILogger _log = Log.ForContext<WalletPoster>();

    /// <param name="retaken">the records of this batch that were rated before and taken back (a late file, a re-rate):
    /// what their wallets were charged is set against their new charge — or given back when they get none now
    /// (held, or their account is postpaid now), so a record is never charged twice.</param>
    /// <param name="catalogs">the versions the batch was rated with: each plan's prepaid policy.</param>
    public WalletBatchResult Post(NpgsqlTransaction tx, IReadOnlyList<RatedUsage> charges, IReadOnlyCollection<UsageToRate> retaken, CatalogTimeline catalogs)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(charges);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        // One pass over the batch (about half of the CPU this method took went to walking the batch's big list of charges
        // five times over): the prepaid charges by wallet, and the records to look up. Only a record rated before can
        // have been charged: one taken back in this batch (prepaid or not now: its account may have changed), or one
        // that was held (a charge taken back and then held gave its wallet effects back; rated again now, it must not
        // be a second 'usage' row).
        var byAccount = new Dictionary<string, List<RatedUsage>>(StringComparer.Ordinal);
        var lookUp = new HashSet<long>(retaken.Select(u => u.Id));
        var prepaidCount = 0;
        foreach (var c in charges)
        {
            var subscriber = c.Usage.Subscriber!;
            if (!subscriber.Prepaid)
            {
                continue;
            }

            prepaidCount++;
            if (!byAccount.TryGetValue(subscriber.AccountId, out var ofAccount))
            {
                byAccount[subscriber.AccountId] = ofAccount = [];
            }

            ofAccount.Add(c);
            if (c.Usage.MayBeHeld)
            {
                lookUp.Add(c.Usage.Id);
            }
        }

        var charged = lookUp.Count > 0 ? WalletStore.Charged(tx, lookUp) : [];
        var tCharged = sw.Elapsed;
        if (prepaidCount == 0 && charged.Count == 0)
        {
            return new WalletBatchResult(0, 0, 0);
        }

        // What a record's earlier charges left on wallets other than the one charging it now (on every wallet, when
        // it has no charge now: held, or postpaid now) is given back there. Only records charged before have any
        // (usually none: the lookups are built only then).
        var givenBack = charged.Values.SelectMany(list => list)
            .Where(e => e.Debited != 0m || e.Overdrawn != 0m)
            .Where(e => !(byAccount.TryGetValue(e.AccountId, out var now) && now.Any(c => c.Usage.Id == e.UsageId)))
            .ToList();
        var records = givenBack.Count == 0 ? [] : byAccount.Values.SelectMany(list => list.Select(c => c.Usage)).Concat(retaken).GroupBy(u => u.Id).ToDictionary(g => g.Key, g => g.First());
        var accounts = byAccount.Keys.Concat(givenBack.Select(e => e.AccountId)).Distinct(StringComparer.Ordinal).ToList();
        var openings = WalletStore.LockOpenings(tx, accounts, createMissing: true);
        var tLock = sw.Elapsed;
        var items = new Dictionary<string, List<WalletCharge>>(accounts.Count, StringComparer.Ordinal);
        foreach (var account in accounts)
        {
            items[account] = new List<WalletCharge>(byAccount.TryGetValue(account, out var ofAccount) ? ofAccount.Count : 1);
        }

        foreach (var (account, ofAccount) in byAccount)
        {
            var (_, currency) = openings[account];
            var list = items[account];
            foreach (var c in ofAccount)
            {
                var u = c.Usage;
                if (!string.Equals(c.Charge.Currency, currency, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"usage {u.Id} was priced in {c.Charge.Currency} for a wallet in {currency}: rating holds such a charge (WalletCurrency)");
                }

                var policy = PolicyOf(catalogs, u, c.Charge.PlanId);
                var amount = c.Charge.Amount;
                var before = charged.GetValueOrDefault(u.Id)?.FirstOrDefault(e => e.AccountId == account);
                if (before is not null)
                {
                    var delta = amount - (before.Debited + before.Overdrawn);
                    if (delta != 0m)
                    {
                        list.Add(new WalletCharge(u.Id, u.Msisdn, u.Start, delta, policy,
                            Rerate: before.Postings > 0, Overdrawn: before.Overdrawn, Key: $"rerate:{u.Id}:{before.Rows}"));
                    }
                }
                else
                {
                    // First charge on this wallet; a 'usage' row on another wallet (before the subscription moved) makes it a 'rerate' row.
                    var usageRowElsewhere = charged.GetValueOrDefault(u.Id)?.Any(e => e.Postings > 0) == true;
                    list.Add(new WalletCharge(u.Id, u.Msisdn, u.Start, amount, policy, Rerate: usageRowElsewhere));
                }
            }
        }

        foreach (var e in givenBack)
        {
            var u = records[e.UsageId];
            items[e.AccountId].Add(new WalletCharge(u.Id, u.Msisdn, u.Start, -(e.Debited + e.Overdrawn), PolicyOf(catalogs, u, u.Subscriber!.PlanId),
                Rerate: e.Postings > 0, Overdrawn: e.Overdrawn, Key: $"rerate:{u.Id}:{e.Rows}"));
        }

        var walks = new List<(string Account, string Currency, WalletWalkResult Result)>();
        foreach (var (account, list) in items)
        {
            if (list.Count > 0)
            {
                var (opening, currency) = openings[account];
                walks.Add((account, currency, WalletWalk.Walk(opening, list)));
            }
        }

        var tWalk = sw.Elapsed;
        WalletStore.Post(tx, walks);
        var tPost = sw.Elapsed;
        var notices = walks.Where(w => w.Result.Notices.Count > 0).ToList();
        var enqueued = 0;
        if (notices.Count > 0)
        {
            var holders = AccountStore.Find(tx, notices.Select(n => n.Account).ToList());
            var limits = byAccount.ToDictionary(a => a.Key, a => PolicyOf(catalogs, a.Value[0].Usage, a.Value[0].Charge.PlanId).CreditLimit, StringComparer.Ordinal);
            var rows = notices.SelectMany(w => w.Result.Notices.Select(n => WalletNoticeRenderer.Render(templates(), holders[w.Account], n, limits.GetValueOrDefault(w.Account)))).ToList();
            enqueued = NotificationStore.Enqueue(tx, rows);
        }

        _log.Debug("Wallet phases (s): charged before {C} lock {L} walk {W} post {P} notify {N}; {Accounts} wallets, {Charges} prepaid charges",
            tCharged.TotalSeconds, (tLock - tCharged).TotalSeconds, (tWalk - tLock).TotalSeconds, (tPost - tWalk).TotalSeconds, (sw.Elapsed - tPost).TotalSeconds, accounts.Count, prepaidCount);

        return new WalletBatchResult(
            walks.Sum(w => (long)w.Result.Postings.Count(p => p.UsageId is not null)),
            walks.Sum(w => (long)w.Result.Overdraft.Count),
            enqueued);
    }

    private static PrepaidPolicy PolicyOf(CatalogTimeline catalogs, UsageToRate u, string planId) =>
        catalogs.InForce(u.Start)?.Catalog.Plans.GetValueOrDefault(planId)?.Prepaid ?? PrepaidPolicy.Default;
}
