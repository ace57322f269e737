using Billing.Core.Notifications;
using NodaTime;
using NodaTime.Text;

namespace Billing.Notifications;

/// <summary>
/// A dunning message to render: the layout (<paramref name="Kind"/>), the account, the run's date, and —
/// for a step of an invoice — the invoice, its due date, days past due, what it still owes and a fee
/// charged at the same step. <paramref name="TotalOverdue"/> is the account's whole overdue amount.
/// </summary>
public sealed record DunningNotice(
    string Kind, string AccountId, string Name, string Language, string Currency, LocalDate AsOf, decimal TotalOverdue, string DedupeKey,
    string? Invoice = null, LocalDate? DueDate = null, int? DaysPastDue = null, decimal? Overdue = null, decimal? Fee = null);

/// <summary>Writes dunning reminders, final notices, suspension and reactivation notices in the account's language, ready for the outbox.</summary>
public static class DunningNoticeRenderer
{
    private static readonly LocalDatePattern Day = LocalDatePattern.Iso;

    public static NewNotification Render(NotificationTemplates templates, DunningNotice notice)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(notice);
        string Amount(decimal amount) => NotificationTemplates.Amount(amount, notice.Currency, notice.Language);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["name"] = notice.Name,
            ["account"] = notice.AccountId,
            ["msisdn"] = notice.AccountId,
            ["currency"] = notice.Currency,
            ["balance"] = Amount(notice.TotalOverdue),
            ["total_overdue"] = Amount(notice.TotalOverdue),
            ["at"] = Day.Format(notice.AsOf),
            ["invoice"] = notice.Invoice ?? "",
            ["due_date"] = notice.DueDate is { } due ? Day.Format(due) : "",
            ["days_past_due"] = notice.DaysPastDue?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
            ["overdue"] = Amount(notice.Overdue ?? notice.TotalOverdue),
            ["fee"] = Amount(notice.Fee ?? 0m),
        };
        var message = templates.Render(notice.Kind, notice.Language, values);
        return new NewNotification(notice.AccountId, null, notice.Kind, notice.Language, message.Subject, message.Body, notice.DedupeKey);
    }
}
