using Billing.Core.Imports;
using Billing.Core.Invoicing;
using NodaTime;

namespace Billing.Mediation.Imports;

/// <summary>
/// A one-time charge or manual adjustment for an account's next invoice. <see cref="Reference"/> makes a
/// second import of it record nothing; null (only from `billing charges add`) records it every time.
/// Null <see cref="TaxCategory"/> and <see cref="Date"/> take the defaults (standard; today in the account's zone).
/// </summary>
public sealed record AccountChargeRow(
    long Line, string? Reference, string AccountId, InvoiceLineKind Kind, decimal Amount, string Description, string? TaxCategory, string? Msisdn, LocalDate? Date);

/// <summary>
/// Reads a charges file (documented in README): a header row, columns by name —
/// <c>reference</c>, <c>account_id</c>, <c>amount</c>, <c>description</c>, optional <c>tax_category</c>,
/// <c>msisdn</c>, <c>date</c> (yyyy-MM-dd) and <c>kind</c> (<c>one-time</c>, the default, or
/// <c>adjustment</c>). Every bad row is reported with its line; what needs the account (its currency,
/// its numbers, the catalogue's tax categories) is checked when the rows are recorded.
/// </summary>
public static class AccountChargeCsvReader
{
    public static readonly IReadOnlyList<string> Required = ["reference", "account_id", "amount", "description"];

    public const string Optional = "tax_category, msisdn, date, kind";

    public static (IReadOnlyList<AccountChargeRow> Rows, IReadOnlyList<ImportError> Errors) Read(string path, NumberingPlan numbering)
    {
        var normaliser = new NumberNormaliser(numbering);
        return ImportCsv.Read(path, Required, Optional, (line, field, references, problems) => Parse(line, field, normaliser, references, referenceRequired: true, problems));
    }

    /// <summary>
    /// One charge from its fields by column name ("" when absent): the row, or null with its problems
    /// in <paramref name="problems"/>. `billing charges add` builds its one row through this too.
    /// </summary>
    public static AccountChargeRow? Parse(long line, Func<string, string> field, NumberNormaliser normaliser, Dictionary<string, long> references, bool referenceRequired, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(normaliser);
        var (reference, account, amount) = ImportCsv.Entry(field, line, references, referenceRequired, signed: true, problems);
        var description = field("description");
        if (description.Length == 0)
        {
            problems.Add("description is empty (it is the invoice line's text)");
        }

        var kindText = field("kind");
        var kind = InvoiceLineKind.OneTime;
        if (kindText.Length > 0 && !(InvoiceLineKinds.TryParse(kindText.ToLowerInvariant(), out kind) && kind is InvoiceLineKind.OneTime or InvoiceLineKind.Adjustment))
        {
            problems.Add($"kind '{kindText}' must be one-time or adjustment");
        }

        var category = field("tax_category");
        if (category.Length > 0 && !category.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            problems.Add($"tax_category '{category}' must be letters, digits, '-' or '_' (a category of the catalogue's taxes.csv)");
        }

        string? msisdn = null;
        if (field("msisdn").Length > 0)
        {
            msisdn = normaliser.Normalise(field("msisdn"), out var numberProblem);
            if (msisdn is null)
            {
                problems.Add($"msisdn: {numberProblem}");
            }
        }

        var date = field("date").Length == 0 ? null : ImportCsv.Date(field("date"), "date", problems);
        return problems.Count > 0 || amount is null
            ? null
            : new AccountChargeRow(line, reference, account, kind, amount.Value, description, category.Length == 0 ? null : category, msisdn, date);
    }
}
