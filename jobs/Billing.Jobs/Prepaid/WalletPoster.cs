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

    public WalletBatchResult Post(NpgsqlTransaction tx, IReadOnlyList<ChargeRow> charges)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(charges);
        var prepaid = charges.Where(c => c.Usage.Prepaid).ToList();
        if (prepaid.Count == 0)
        {
            return new WalletBatchResult(0, 0, 0, []);
        }

        var sw = System.Diagnostics.Stopwatch.StartNew();
        var conn = tx.Connection!;
        var accounts = prepaid.Select(c => c.Usage.AccountId!).Distinct(StringComparer.Ordinal).ToList();
        var openings = WalletStore.LockOpenings(tx, accounts, createMissing: true);
        var tLock = sw.Elapsed;
        var charged = WalletStore.Charged(tx, prepaid.Where(c => c.Usage.Retaken).Select(c => c.Usage.Id).ToList());
        var tCharged = sw.Elapsed;
        var held = new List<ChargeRow>();
        var walks = new List<(string Account, string Currency, WalletWalkResult Result)>();
        foreach (var group in prepaid.GroupBy(c => c.Usage.AccountId!, StringComparer.Ordinal))
        {
            var (opening, currency) = openings[group.Key];
            var items = new List<WalletCharge>();
            foreach (var c in group)
            {
                if (!string.Equals(c.Charge.Currency, currency, StringComparison.Ordinal))
                {
                    held.Add(c);
                    continue;
                }

                var policy = PolicyOf(conn, c);
                if (charged.TryGetValue(c.Usage.Id, out var before))
                {
                    var delta = c.Charge.Amount - (before.Debited + before.Overdrawn);
                    if (delta != 0m)
                    {
                        items.Add(new WalletCharge(c.Usage.Id, c.Usage.Msisdn, c.Usage.StartUtc, delta, policy,
                            Rerate: before.Postings > 0 || before.Overdrawn != 0m, Overdrawn: before.Overdrawn,
                            Key: $"rerate:{c.Usage.Id}:{before.Debited + before.Overdrawn}"));
                    }
                }
                else
                {
                    items.Add(new WalletCharge(c.Usage.Id, c.Usage.Msisdn, c.Usage.StartUtc, c.Charge.Amount, policy));
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
            var limits = prepaid.GroupBy(c => c.Usage.AccountId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => PolicyOf(conn, g.First()).CreditLimit, StringComparer.Ordinal);
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

    private PrepaidPolicy PolicyOf(NpgsqlConnection conn, ChargeRow c) =>
        catalogs.InForce(conn, c.Usage.StartUtc)?.Catalog.Plans.GetValueOrDefault(c.Charge.PlanId)?.Prepaid ?? PrepaidPolicy.Default;

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
