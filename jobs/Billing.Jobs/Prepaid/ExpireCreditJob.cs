using System.ComponentModel;
using Billing.Core.Money;
using Billing.Core.Prepaid;
using Billing.Jobs.Catalog;
using Billing.Notifications;
using Billing.Storage;
using NodaTime;
using Serilog;

namespace Billing.Jobs.Prepaid;

/// <param name="Amounts">the credit forfeited, per currency.</param>
public sealed record ExpiryRunResult(long Wallets, long Expired, IReadOnlyList<Money> Amounts);

/// <summary>
/// The daily expiry run: credit left on a wallet N days (the plan's expiry_days) after its last
/// top-up is forfeited at that moment, with an `expiry` ledger row and an `expired` notification.
/// Rating does the same when it meets usage after that moment; both go through
/// <see cref="WalletWalk"/> under the wallet's row lock, so credit expires once.
/// </summary>
public sealed class ExpireCreditJob(BillingDatabase db, CatalogCache catalogs, IClock clock, Func<NotificationTemplates>? templates = null)
{
    /// <summary>
    /// How late a CDR may arrive: the run expires credit whose moment is at least this long ago, so the
    /// file of a call made while the credit was still valid is rated against it first.
    /// </summary>
    public static readonly Duration LateCdrAllowance = Duration.FromDays(2);

    private readonly ILogger _log = Log.ForContext<ExpireCreditJob>();

    [DisplayName("Expire prepaid credit")]
    public ExpiryRunResult Run()
    {
        var now = clock.GetCurrentInstant() - LateCdrAllowance;
        using var conn = db.Open();
        // Only wallets with a top-up followed by none for at least the shortest expiry any plan has can have credit to expire.
        var days = catalogs.InForce(conn, now)?.Catalog.Plans.Values.Select(p => p.Prepaid.ExpiryDays).OfType<int>().ToList() ?? [];
        if (days.Count == 0)
        {
            _log.Information("Expiry run: no plan in force lets credit expire");
            return new ExpiryRunResult(0, 0, []);
        }

        // Credit lasts calendar days in the account's zone, 23 to 25 hours each: a day's slack keeps every wallet due.
        var candidates = WalletStore.ExpiryCandidates(conn, now, Duration.FromDays(days.Min() - 1), days.Max());
        long expired = 0;
        var amounts = new List<Money>();
        foreach (var (account, planId) in candidates)
        {
            var policy = catalogs.InForce(conn, now)?.Catalog.Plans.GetValueOrDefault(planId)?.Prepaid;
            if (policy?.ExpiryDays is null)
            {
                continue;
            }

            using var tx = conn.BeginTransaction();
            var (opening, currency) = WalletStore.LockOpenings(tx, [account])[account];
            var result = WalletWalk.Walk(opening, [], now, policy);  // expires what expired up to two days ago
            if (result.Postings.Count == 0)
            {
                tx.Rollback();
                continue;
            }

            WalletStore.Post(tx, [(account, currency, result)]);
            var holder = AccountStore.Find(tx, [account])[account];
            NotificationStore.Enqueue(tx, result.Notices.Select(n => WalletNoticeRenderer.Render((templates ?? NotificationTemplates.Shipped)(), holder, n, policy.CreditLimit)).ToList());
            tx.Commit();
            expired++;
            var forfeited = Money.Of(-result.Postings.Sum(p => p.Amount), currency);
            amounts.Add(forfeited);
            _log.Information("Credit of {Account} expired: {Amount}", account, forfeited.ToString());
        }

        var totals = Money.Totals(amounts);
        _log.Information("Expiry run: {Expired} of {Candidates} wallets had credit to expire ({Amount} in total)", expired, candidates.Count, string.Join(", ", totals));
        return new ExpiryRunResult(candidates.Count, expired, totals);
    }
}
