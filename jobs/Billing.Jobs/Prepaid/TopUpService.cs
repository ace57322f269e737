using Billing.Core.Prepaid;
using Billing.Jobs.Rating;
using Billing.Notifications;
using Billing.Storage;
using NodaTime;
using Npgsql;

namespace Billing.Jobs.Prepaid;

/// <summary>One payment to credit: from `billing topup` or a gateway export's row.</summary>
public sealed record TopUpRequest(string Msisdn, decimal Amount, Instant At, string? Reference, string Note = "", string? Currency = null);

/// <summary>Why a top-up was refused, in words an operator can act on.</summary>
public sealed class TopUpException(string message) : Exception(message);

/// <summary>
/// Credits prepaid wallets: resolves the number to its prepaid account, appends the ledger row
/// (a reference already credited is not credited again), and queues the top-up receipt.
/// </summary>
public sealed class TopUpService(CatalogCache catalogs, Func<NotificationTemplates> templates)
{
    /// <summary>Credits the top-ups in one transaction; throws <see cref="TopUpException"/> (nothing credited) if one cannot be.</summary>
    public IReadOnlyList<TopUpResult> Credit(NpgsqlConnection conn, IReadOnlyList<TopUpRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(conn);
        ArgumentNullException.ThrowIfNull(requests);
        using var tx = conn.BeginTransaction();
        var results = new List<TopUpResult>(requests.Count);
        var notices = new List<NewNotification>();
        var holders = new Dictionary<string, WalletHolder>(StringComparer.Ordinal);
        foreach (var r in requests)
        {
            if (r.Amount <= 0m)
            {
                throw new TopUpException($"top-up {r.Reference ?? r.Msisdn}: the amount must be positive, not {r.Amount}");
            }

            var account = WalletStore.AccountOf(conn, r.Msisdn, r.At, tx)
                ?? throw new TopUpException($"no subscriber has the number {r.Msisdn}: import it first (billing accounts import)");
            if (account.PaymentType != "prepaid")
            {
                throw new TopUpException($"{r.Msisdn} belongs to account {account.AccountId}, which is {account.PaymentType}: only prepaid accounts have a wallet");
            }

            if (!holders.TryGetValue(account.AccountId, out var holder))
            {
                holder = WalletStore.Holders(tx, [account.AccountId])[account.AccountId];
                holders[account.AccountId] = holder;
            }

            if (r.Currency is { } currency && !string.Equals(currency, holder.Currency, StringComparison.OrdinalIgnoreCase))
            {
                throw new TopUpException($"top-up {r.Reference ?? r.Msisdn} is in {currency}, but account {account.AccountId}'s wallet is in {holder.Currency}");
            }

            var policy = catalogs.InForce(conn, r.At)?.Catalog.Plans.GetValueOrDefault(account.PlanId)?.Prepaid ?? PrepaidPolicy.Default;
            var result = WalletStore.TopUp(tx, account.AccountId, r.Msisdn, r.Amount, r.At, r.Reference, r.Note, policy.Floor);
            results.Add(result);
            if (result.Added)
            {
                var values = WalletPoster.Values(holder, r.Msisdn, result.Balance, r.At);
                values["amount"] = NotificationTemplates.Amount(r.Amount, holder.Currency, holder.Language);
                values["reference"] = r.Reference ?? $"#{result.LedgerId}";
                var message = templates().Render(NotificationKinds.TopUp, holder.Language, values);
                notices.Add(new NewNotification(holder.AccountId, r.Msisdn, NotificationKinds.TopUp, holder.Language, message.Subject, message.Body, $"topup:{result.LedgerId}"));
            }
        }

        NotificationStore.Enqueue(tx, notices);
        tx.Commit();
        return results;
    }
}
