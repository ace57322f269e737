using System.Globalization;
using Billing.Core.Imports;
using Billing.Core.Money;
using CsvHelper;
using NodaTime;
using NodaTime.Text;

namespace Billing.Mediation.Imports;

/// <summary>One payment of a gateway export: who, how much, when, and the gateway's reference.</summary>
public sealed record TopUpRow(long Line, string Reference, string Msisdn, decimal Amount, string? Currency, Instant PaidAt, string Note);

/// <summary>
/// Reads a payment gateway's top-up export (documented in README): a header row, columns by name —
/// <c>reference</c>, <c>msisdn</c>, <c>amount</c>, <c>paid_at</c> (ISO-8601 with offset), optional
/// <c>currency</c> and <c>note</c>. Every bad row is reported with its line number.
/// </summary>
public static class TopUpCsvReader
{
    public static readonly IReadOnlyList<string> Required = ["reference", "msisdn", "amount", "paid_at"];

    private static readonly OffsetDateTimePattern InstantPattern = OffsetDateTimePattern.ExtendedIso;

    public static (IReadOnlyList<TopUpRow> Rows, IReadOnlyList<ImportError> Errors) Read(string path, NumberingPlan numbering)
    {
        var rows = new List<TopUpRow>();
        var errors = new List<ImportError>();
        var normaliser = new NumberNormaliser(numbering);
        var (csv, index) = ImportCsv.Open(path);
        using var reader = csv;
        if (ImportCsv.MissingColumns(index, Required, "currency, note") is { } header)
        {
            errors.Add(header);
            return (rows, errors);
        }

        var references = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in ImportCsv.Rows(csv, errors))
        {
            string F(string name) => ImportCsv.Field(csv, index, name);
            var problems = new List<string>();
            var reference = F("reference");
            if (reference.Length == 0)
            {
                problems.Add("reference is empty (it is what makes a second import of the same payment credit nothing)");
            }
            else if (references.TryGetValue(reference, out var first))
            {
                problems.Add($"reference {reference} is already on line {first}");
            }
            else
            {
                references[reference] = line;
            }

            var msisdn = normaliser.Normalise(F("msisdn"), out var numberProblem);
            if (msisdn is null)
            {
                problems.Add($"msisdn: {numberProblem}");
            }

            if (!decimal.TryParse(F("amount"), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
            {
                problems.Add($"amount '{F("amount")}' is not a positive decimal (e.g. 10.00)");
            }

            string? currency = null;
            if (F("currency").Length > 0)
            {
                currency = F("currency").ToUpperInvariant();
                try
                {
                    _ = Currency.Of(currency);
                }
                catch (ArgumentException)
                {
                    problems.Add($"currency '{currency}' is not an ISO 4217 code we know");
                }
            }

            var paid = InstantPattern.Parse(F("paid_at"));
            var paidAt = paid.Success ? ImportTimes.ToInstant(paid.Value) : null;
            if (!paid.Success)
            {
                problems.Add($"paid_at '{F("paid_at")}' is not an ISO-8601 time with offset (e.g. 2026-11-02T10:10:00Z)");
            }
            else if (paidAt is null)
            {
                problems.Add(ImportTimes.OutOfRange("paid_at", F("paid_at")));
            }

            if (problems.Count > 0)
            {
                errors.Add(new ImportError(line, string.Join("; ", problems)));
                continue;
            }

            rows.Add(new TopUpRow(line, reference, msisdn!, amount, currency, paidAt!.Value, F("note")));
        }

        return (rows, errors);
    }
}
