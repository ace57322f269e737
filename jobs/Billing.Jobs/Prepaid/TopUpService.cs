using System.Globalization;
using Billing.Core.Accounts;
using Billing.Core.Catalog;
using Billing.Core.Cycles;
using Billing.Core.Money;
using Billing.Core.Prepaid;
using Billing.Jobs.Catalog;
using Billing.Notifications;
using Billing.Storage;
using NodaTime;
using Npgsql;

namespace Billing.Jobs.Prepaid;

/// <summary>One payment to credit: from `billing topup` or a gateway export's row; optionally buying a bundle with it.</summary>
public sealed record TopUpRequest(string Msisdn, decimal Amount, Instant At, string? Reference, string Note = "", string? Currency = null, string? Bundle = null);

/// <summary>A bundle bought: its ledger row, and the balance after.</summary>
public sealed record BundleResult(bool Added, string AccountId, long LedgerId, Bundle Bundle, Money Balance)
{
    /// <summary>What the bundle costs, in the wallet's currency (the plan's: rating holds a plan priced in another).</summary>
    public Money Price => new(Bundle.Price, Balance.Currency);
}

/// <summary>A manual correction posted to a wallet: the ledger row, what it moved and the balance after.</summary>
public sealed record WalletAdjustment(string AccountId, long LedgerId, Money Amount, Money Balance);

/// <summary>Why a top-up or a purchase was refused, in words an operator can act on.</summary>
public sealed class TopUpException(string message) : Exception(message);

/// <summary>
/// Credits prepaid wallets and sells bundles from them: resolves the number to its prepaid account,
/// appends the ledger row (a reference already used is not credited or charged again), and queues
/// the top-up receipt — all or nothing per call. Amounts follow <see cref="WalletAmount"/>: within
/// <paramref name="ceiling"/> per posting and no finer than the wallet currency's minor unit. A payment or a purchase
/// is not taken later than <paramref name="clock"/>'s now (give or take <see cref="ClockSkew"/>): one dated ahead
/// would be in the balance but pay for no usage before its date.
/// </summary>
public sealed class TopUpService(CatalogCache catalogs, Func<NotificationTemplates> templates, decimal ceiling = WalletAmount.DefaultCeiling, IClock? clock = null)
{
    /// <summary>How far a gateway's clock may run ahead of ours.</summary>
    public static readonly Duration ClockSkew = Duration.FromMinutes(5);

    /// <summary>Credits the top-ups (and buys the bundles they name) in one transaction; throws <see cref="TopUpException"/> (nothing done) if one cannot be.</summary>
    public IReadOnlyList<TopUpResult> Credit(NpgsqlConnection conn, IReadOnlyList<TopUpRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(conn);
        ArgumentNullException.ThrowIfNull(requests);
        using var tx = conn.BeginTransaction();
        var results = new List<TopUpResult>(requests.Count);

        // Lock every wallet of the file first, in account order — the order rating locks them in — so an
        // import and a rating batch never wait for each other in a circle.
        var accounts = requests.Select(r => WalletStore.AccountOf(conn, r.Msisdn, r.At, tx)?.AccountId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        WalletStore.LockOpenings(tx, accounts, createMissing: true);
        foreach (var r in requests)
        {
            NotAhead(r.At, $"top-up {r.Reference ?? r.Msisdn}");
            var (account, holder, policy) = Prepaid(tx, r.Msisdn, r.At);
            if (r.Currency is { } currency && !string.Equals(currency, holder.Currency.Code, StringComparison.OrdinalIgnoreCase))
            {
                throw new TopUpException($"top-up {r.Reference ?? r.Msisdn} is in {currency}, but account {account.AccountId}'s wallet is in {holder.Currency}");
            }

            if (WalletAmount.Problem(r.Amount, signed: false, ceiling, holder.Currency) is { } problem)
            {
                throw new TopUpException($"top-up {r.Reference ?? r.Msisdn}: the amount {r.Amount.ToString(CultureInfo.InvariantCulture)} {problem}");
            }

            var result = WalletStore.TopUp(tx, account.AccountId, r.Msisdn, r.Amount, r.At, r.Reference, r.Note, policy.Floor);
            results.Add(result);
            if (result.Added)
            {
                NotificationStore.Enqueue(tx, [WalletNoticeRenderer.TopUpReceipt(templates(), holder, r.Msisdn, r.Amount, result.Balance.Amount, r.At, r.Reference, result.LedgerId)]);
            }

            if (r.Bundle is { } bundle)
            {
                Buy(tx, r.Msisdn, bundle, r.At, r.Reference);
            }
        }

        tx.Commit();
        return results;
    }

    /// <summary>Buys a bundle of the subscriber's plan from the wallet; throws <see cref="TopUpException"/> (nothing done) if it cannot.</summary>
    public BundleResult BuyBundle(NpgsqlConnection conn, string msisdn, string bundleId, Instant at, string? reference)
    {
        ArgumentNullException.ThrowIfNull(conn);
        using var tx = conn.BeginTransaction();
        var result = Buy(tx, msisdn, bundleId, at, reference);
        tx.Commit();
        return result;
    }

    /// <summary>Posts a manual correction to the wallet of a prepaid number (positive credits, negative debits).</summary>
    public WalletAdjustment Adjust(NpgsqlConnection conn, string msisdn, decimal amount, Instant at, string reason, string actor)
    {
        ArgumentNullException.ThrowIfNull(conn);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new TopUpException("an adjustment needs a reason");
        }

        using var tx = conn.BeginTransaction();
        var (account, holder, policy) = Prepaid(tx, msisdn, at);
        if (WalletAmount.Problem(amount, signed: true, ceiling, holder.Currency) is { } problem)
        {
            throw new TopUpException($"adjustment of +{msisdn}: the amount {amount.ToString(CultureInfo.InvariantCulture)} {problem}");
        }

        var (id, balance) = WalletStore.Adjust(tx, account.AccountId, msisdn, amount, at, reason, actor, policy.Floor);
        NotifyFall(tx, holder, policy, msisdn, balance.Amount - amount, balance.Amount, at, id);
        tx.Commit();
        return new WalletAdjustment(account.AccountId, id, new Money(amount, balance.Currency), balance);
    }

    private BundleResult Buy(NpgsqlTransaction tx, string msisdn, string bundleId, Instant at, string? reference)
    {
        NotAhead(at, $"bundle {bundleId} for +{msisdn}");
        var conn = tx.Connection!;
        var (account, holder, policy) = Prepaid(tx, msisdn, at);
        var plan = catalogs.InForce(conn, at)?.Catalog.Plans.GetValueOrDefault(account.PlanId)
            ?? throw new TopUpException($"plan {account.PlanId} of +{msisdn} is in no catalogue version in force at {at}");
        var bundle = plan.Bundles.FirstOrDefault(b => b.Id == bundleId)
            ?? throw new TopUpException($"plan {plan.Id} has no bundle '{bundleId}'" + (plan.Bundles.Count == 0 ? " (it sells none)" : $" (it sells: {string.Join(", ", plan.Bundles.Select(b => b.Id))})"));
        var subscription = AccountStore.SubscriptionAt(conn, msisdn, at)
            ?? throw new TopUpException($"+{msisdn} has no subscription at {at}");
        var cycle = BillCycle.Containing(at, holder.TimeZone, holder.BillCycleDay).Start;
        var bought = WalletStore.BuyBundle(tx, account.AccountId, subscription.Id, msisdn, bundle.Id, bundle.Allowance.Amount, bundle.Price, cycle, at, reference, policy.Floor)
            ?? throw new TopUpException($"{bundle.Name} costs {new Money(bundle.Price, holder.Currency)}, more than the wallet of +{msisdn} can pay (balance {WalletStore.Wallet(conn, account.AccountId)?.Funds ?? Money.Zero(holder.Currency)}): top up first");
        if (bought.Added)
        {
            NotifyFall(tx, holder, policy, msisdn, bought.Balance.Amount + bundle.Price, bought.Balance.Amount, at, bought.LedgerId);
        }

        return new BundleResult(bought.Added, account.AccountId, bought.LedgerId, bundle, bought.Balance);
    }

    private void NotAhead(Instant at, string what)
    {
        var now = (clock ?? SystemClock.Instance).GetCurrentInstant();
        if (at > now + ClockSkew)
        {
            throw new TopUpException($"{what}: its time {at} is later than now ({now}): a payment is credited from when it was made, and one dated ahead would pay for no usage before then");
        }
    }

    /// <summary>A purchase or a correction that takes the balance through a threshold tells, as a charge would.</summary>
    private void NotifyFall(NpgsqlTransaction tx, Account holder, PrepaidPolicy policy, string msisdn, decimal before, decimal after, Instant at, long ledgerId)
    {
        if (WalletWalk.Crossed(before, after, policy) is not { } threshold)
        {
            return;
        }

        var notice = new WalletNotice(WalletWalk.NoticeKind(threshold, policy), $"ledger:{ledgerId}", at, msisdn, after, threshold, null);
        NotificationStore.Enqueue(tx, [WalletNoticeRenderer.Render(templates(), holder, notice, policy.CreditLimit)]);
    }

    private (WalletStore.AccountPlan Account, Account Holder, PrepaidPolicy Policy) Prepaid(NpgsqlTransaction tx, string msisdn, Instant at)
    {
        var conn = tx.Connection!;
        var account = WalletStore.AccountOf(conn, msisdn, at, tx)
            ?? throw new TopUpException($"no subscriber has the number {msisdn}: import it first (billing accounts import)");
        if (account.PaymentType != PaymentType.Prepaid)
        {
            throw new TopUpException($"{msisdn} belongs to account {account.AccountId}, which is {account.PaymentType.Code()}: only prepaid accounts have a wallet");
        }

        var holder = AccountStore.Find(tx, [account.AccountId])[account.AccountId];
        var policy = catalogs.InForce(conn, at)?.Catalog.Plans.GetValueOrDefault(account.PlanId)?.Prepaid ?? PrepaidPolicy.Default;
        return (account, holder, policy);
    }
}
