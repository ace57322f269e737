using Billing.Core.Imports;
using NodaTime;
using NodaTime.Text;

namespace Billing.Mediation.Imports;

/// <summary>A payment received for a postpaid account: the payer's reference, and the invoice it names, if any.</summary>
public sealed record PaymentRow(long Line, string Reference, string AccountId, decimal Amount, Instant PaidAt, string? Currency, string? Invoice);

/// <summary>
/// Reads a payments file — a bank or payment service export (documented in README): a header row,
/// columns by name — <c>reference</c>, <c>account_id</c>, <c>amount</c>, <c>paid_at</c> (ISO-8601
/// with offset, or a date taken as 00:00 UTC), optional <c>currency</c> and <c>invoice</c> (the
/// invoice number the payer named). Every bad row is reported with its line; what needs the account
/// (its currency, its invoices) is checked when the payments are recorded.
/// </summary>
public static class PaymentCsvReader
{
    public static readonly IReadOnlyList<string> Required = ["reference", "account_id", "amount", "paid_at"];

    public const string Optional = "currency, invoice";

    private static readonly OffsetDateTimePattern InstantPattern = OffsetDateTimePattern.ExtendedIso;

    public static (IReadOnlyList<PaymentRow> Rows, IReadOnlyList<ImportError> Errors) Read(string path) =>
        ImportCsv.Read(path, Required, Optional, (line, field, references, problems) => Parse(line, field, references, referenceRequired: true, problems));

    /// <summary>
    /// One payment from its fields by column name ("" when absent): the row, or null with its problems.
    /// Without a reference (`billing payments add` with none) the row's reference is "".
    /// </summary>
    public static PaymentRow? Parse(long line, Func<string, string> field, Dictionary<string, long> references, bool referenceRequired, List<string> problems)
    {
        var (reference, account, amount) = ImportCsv.Entry(field, line, references, referenceRequired, signed: false, problems);
        var paidAt = PaidAt(field("paid_at"), problems);
        var currency = field("currency").Length == 0 ? null : ImportCsv.CurrencyCode(field("currency"), problems);
        var invoice = field("invoice");
        return problems.Count > 0 || amount is null || paidAt is null
            ? null
            : new PaymentRow(line, reference ?? "", account, amount.Value, paidAt.Value, currency, invoice.Length == 0 ? null : invoice);
    }

    private static Instant? PaidAt(string text, List<string> problems)
    {
        var instant = InstantPattern.Parse(text);
        var date = instant.Success ? null : LocalDatePattern.Iso.Parse(text);
        if (instant.Success || date!.Success)
        {
            var at = instant.Success ? ImportTimes.ToInstant(instant.Value) : ImportTimes.StartOfDay(date!.Value, DateTimeZone.Utc);
            if (at is null)
            {
                problems.Add(ImportTimes.OutOfRange("paid_at", text));
            }

            return at;
        }

        problems.Add($"paid_at '{text}' is neither an ISO-8601 time with offset (2026-12-10T09:30:00Z) nor a date (2026-12-10)");
        return null;
    }
}
