using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;

namespace Billing.Core.Invoicing;

/// <summary>
/// What a draft charges, as a short hash: its lines, taxes and totals — not the balance (payments
/// recorded between the draft and its approval change the amount due, not what was reviewed). The
/// approval recomputes every draft; one whose fingerprint differs was changed by new data since a
/// person looked at it, and is not issued until looked at again.
/// </summary>
/// <remarks>
/// The text hashed must stay the same from one version to the next (drafts stored by the previous
/// version are approved by this one; InvoiceFingerprintTests pins it). It is built in one sized buffer
/// with the days written by hand: NodaTime's pattern formatting of four dates a line was half the cost
/// of the fingerprint, and the fingerprint a good part of a bill run's calculation.
/// </remarks>
public static class InvoiceFingerprint
{
    public static string Of(InvoiceDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var text = new StringBuilder(128 + (draft.Lines.Count * 192) + (draft.Taxes.Count * 64));
        var inv = CultureInfo.InvariantCulture;
        text.Append(draft.AccountId).Append('|').Append(draft.Currency.Code).Append("|[");
        Day(text, draft.Cycle.Start).Append(", ");
        Day(text, draft.Cycle.End).Append(")|");
        Day(text, draft.IssueDate).Append('\n');
        foreach (var l in draft.Lines)
        {
            text.Append(inv, $"{l.Number}|{l.Kind.Code()}|{l.Description}|{l.SubscriptionId}|{l.Msisdn}|{l.PlanId}|{l.Service}|{l.DestinationGroup}|");
            text.Append(inv, $"{l.Quantity}|{l.AllowanceUsed}|{l.ChargeCount}|{l.ExactAmount}|");
            Day(text, l.PeriodStart).Append('|');
            Day(text, l.PeriodEnd).Append('|');
            text.Append(inv, $"{l.TaxCategory}|{l.Amount.Amount}|{l.FeeId}|{l.RuleId}|{l.OriginalInvoiceNumber}|");
            for (var i = 0; i < l.SourceIds.Count; i++)
            {
                (i == 0 ? text : text.Append(',')).Append(l.SourceIds[i]);
            }

            text.Append('\n');
        }

        foreach (var t in draft.Taxes)
        {
            text.Append(inv, $"tax|{t.Category}|{t.Name}|{t.Rate}|{t.Base.Amount}|{t.Amount.Amount}\n");
        }

        text.Append(inv, $"{draft.Subtotal.Amount}|{draft.Tax.Amount}|{draft.Total.Amount}|");
        for (var i = 0; i < draft.Errors.Count; i++)
        {
            (i == 0 ? text : text.Append(';')).Append(draft.Errors[i].Message);
        }

        return Hash(text);
    }

    /// <summary>The day as NodaTime's "uuuu-MM-dd" writes it; by hand for the years 1 to 9999, by NodaTime outside them.</summary>
    private static StringBuilder Day(StringBuilder text, LocalDate day)
    {
        if (day.Year is < 1 or > 9999)
        {
            return text.Append(day.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture));
        }

        Span<char> chars = stackalloc char[10];
        Digits(chars[..4], day.Year);
        chars[4] = '-';
        Digits(chars.Slice(5, 2), day.Month);
        chars[7] = '-';
        Digits(chars.Slice(8, 2), day.Day);
        return text.Append(chars);
    }

    private static void Digits(Span<char> into, int value)
    {
        for (var i = into.Length - 1; i >= 0; i--)
        {
            into[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }

    /// <summary>The first 16 bytes of the SHA-256 of the text's UTF-8, in lower-case hex.</summary>
    private static string Hash(StringBuilder text)
    {
        var chars = ArrayPool<char>.Shared.Rent(text.Length);
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            text.CopyTo(0, chars, text.Length);
            var length = Encoding.UTF8.GetBytes(chars, 0, text.Length, bytes, 0);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes.AsSpan(0, length), hash);
            return Convert.ToHexStringLower(hash[..16]);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
