using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Billing.Core.Invoicing;

/// <summary>
/// What a draft charges, as a short hash: its lines, taxes and totals — not the balance (payments
/// recorded between the draft and its approval change the amount due, not what was reviewed). The
/// approval recomputes every draft; one whose fingerprint differs was changed by new data since a
/// person looked at it, and is not issued until looked at again.
/// </summary>
public static class InvoiceFingerprint
{
    public static string Of(InvoiceDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.Append(inv, $"{draft.AccountId}|{draft.Currency.Code}|{draft.Cycle}|{draft.IssueDate:uuuu-MM-dd}\n");
        foreach (var l in draft.Lines)
        {
            text.Append(inv, $"{l.Number}|{l.Kind.Code()}|{l.Description}|{l.SubscriptionId}|{l.Msisdn}|{l.PlanId}|{l.Service}|{l.DestinationGroup}|");
            text.Append(inv, $"{l.Quantity}|{l.AllowanceUsed}|{l.ChargeCount}|{l.ExactAmount}|{l.PeriodStart:uuuu-MM-dd}|{l.PeriodEnd:uuuu-MM-dd}|");
            text.Append(inv, $"{l.TaxCategory}|{l.Amount.Amount}|{l.FeeId}|{l.RuleId}|{l.OriginalInvoiceNumber}|{string.Join(',', l.SourceIds)}\n");
        }

        foreach (var t in draft.Taxes)
        {
            text.Append(inv, $"tax|{t.Category}|{t.Name}|{t.Rate}|{t.Base.Amount}|{t.Amount.Amount}\n");
        }

        text.Append(inv, $"{draft.Subtotal.Amount}|{draft.Tax.Amount}|{draft.Total.Amount}|{string.Join(';', draft.Errors.Select(e => e.Message))}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }
}
