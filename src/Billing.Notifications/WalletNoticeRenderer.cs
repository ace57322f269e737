using Billing.Core.Accounts;
using Billing.Core.Notifications;
using Billing.Core.Prepaid;
using NodaTime;
using NodaTime.Text;

namespace Billing.Notifications;

/// <summary>
/// Writes a prepaid account's notifications — the wallet's notices (thresholds, barring, expiry) and
/// top-up receipts — in the account's language, with amounts to the currency's minor unit and times
/// in the account's zone, ready for the outbox.
/// </summary>
public static class WalletNoticeRenderer
{
    private static readonly LocalDateTimePattern NoticeTime = LocalDateTimePattern.CreateWithInvariantCulture("yyyy-MM-dd HH:mm");

    /// <param name="creditLimit">the plan's, for the <c>{{limit}}</c> of a credit-limit notice.</param>
    public static NewNotification Render(NotificationTemplates templates, Account holder, WalletNotice notice, decimal creditLimit)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(notice);
        var values = Values(holder, notice.Msisdn, notice.Balance, notice.At);
        if (notice.Threshold is { } t)
        {
            values["threshold"] = Amount(t, holder);
        }

        values["limit"] = Amount(creditLimit, holder);
        values["amount"] = Amount(notice.Amount ?? 0m, holder);
        return Outbox(templates, holder, notice.Kind, notice.Msisdn, notice.Key, values);
    }

    /// <summary>The receipt of a top-up credited as ledger row <paramref name="ledgerId"/>, leaving <paramref name="balance"/>.</summary>
    public static NewNotification TopUpReceipt(NotificationTemplates templates, Account holder, string msisdn, decimal amount, decimal balance, Instant at, string? reference, long ledgerId)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(holder);
        var values = Values(holder, msisdn, balance, at);
        values["amount"] = Amount(amount, holder);
        values["reference"] = reference ?? $"#{ledgerId}";
        return Outbox(templates, holder, NotificationKinds.TopUp, msisdn, $"topup:{ledgerId}", values);
    }

    private static NewNotification Outbox(NotificationTemplates templates, Account holder, string kind, string? msisdn, string key, Dictionary<string, string> values)
    {
        var message = templates.Render(kind, holder.Language, values);
        return new NewNotification(holder.Id, msisdn, kind, holder.Language, message.Subject, message.Body, key);
    }

    /// <summary>The values every notification can use.</summary>
    private static Dictionary<string, string> Values(Account holder, string? msisdn, decimal balance, Instant at) => new(StringComparer.Ordinal)
    {
        ["name"] = holder.Name,
        ["account"] = holder.Id,
        ["msisdn"] = msisdn is null ? holder.Id : "+" + msisdn,
        ["currency"] = holder.Currency.Code,
        ["balance"] = Amount(balance, holder),
        ["at"] = NoticeTime.Format(at.InZone(holder.TimeZone).LocalDateTime),
    };

    private static string Amount(decimal amount, Account holder) => NotificationTemplates.Amount(amount, holder.Currency.Code, holder.Language);
}
