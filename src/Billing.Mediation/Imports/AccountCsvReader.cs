using System.Globalization;
using Billing.Core.Money;
using CsvHelper;
using NodaTime;
using NodaTime.Text;

namespace Billing.Mediation.Imports;

/// <summary>One row of an accounts file: the account, and optionally one subscription period.</summary>
public sealed record AccountRow(
    long Line,
    string AccountId,
    string Name,
    string BillingAddress,
    string? Email,
    string Language,
    string Currency,
    string TimeZone,
    string PaymentType,
    int BillCycleDay,
    string TaxRegion,
    string Segment,
    SubscriptionRow? Subscription);

public sealed record SubscriptionRow(string Msisdn, string PlanId, Instant ActiveFrom, Instant? ActiveTo);

public sealed record ImportError(long Line, string Message);

/// <summary>
/// Reads an accounts file (documented in README): header row, columns by name. Every bad row is
/// reported with its line number; the caller imports nothing unless there are none.
/// </summary>
public static class AccountCsvReader
{
    public static readonly IReadOnlyList<string> Required = ["account_id", "name", "currency", "time_zone", "payment_type", "bill_cycle_day"];

    public static readonly IReadOnlyList<string> Optional =
        ["billing_address", "email", "language", "tax_region", "segment", "msisdn", "plan", "active_from", "active_to"];

    private static readonly LocalDatePattern DatePattern = LocalDatePattern.Iso;
    private static readonly OffsetDateTimePattern InstantPattern = OffsetDateTimePattern.ExtendedIso;

    public static (IReadOnlyList<AccountRow> Rows, IReadOnlyList<ImportError> Errors) Read(string path, NumberingPlan numbering)
    {
        var rows = new List<AccountRow>();
        var errors = new List<ImportError>();
        var normaliser = new NumberNormaliser(numbering);
        var (csv, index) = ImportCsv.Open(path);
        using var reader = csv;
        if (ImportCsv.MissingColumns(index, Required) is { } header)
        {
            errors.Add(header);
            return (rows, errors);
        }

        foreach (var line in ImportCsv.Rows(csv, errors))
        {
            string F(string name) => ImportCsv.Field(csv, index, name);
            var problems = new List<string>();

            var id = F("account_id");
            if (id.Length == 0)
            {
                problems.Add("account_id is empty");
            }

            var name = F("name");
            if (name.Length == 0)
            {
                problems.Add("name is empty");
            }

            var currency = F("currency").ToUpperInvariant();
            try
            {
                _ = Currency.Of(currency);
            }
            catch (ArgumentException)
            {
                problems.Add($"currency '{currency}' is not an ISO 4217 code we know");
            }

            var zoneId = F("time_zone");
            var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId);
            if (zone is null)
            {
                problems.Add($"time_zone '{zoneId}' is not an IANA zone (e.g. Europe/London)");
            }

            var paymentType = F("payment_type").ToLowerInvariant();
            if (paymentType is not ("postpaid" or "prepaid"))
            {
                problems.Add($"payment_type '{paymentType}' must be postpaid or prepaid");
            }

            if (!int.TryParse(F("bill_cycle_day"), NumberStyles.None, CultureInfo.InvariantCulture, out var cycleDay) || cycleDay is < 1 or > 28)
            {
                problems.Add($"bill_cycle_day '{F("bill_cycle_day")}' must be a day of the month from 1 to 28");
            }

            var email = F("email");
            if (email.Length > 0 && (!email.Contains('@', StringComparison.Ordinal) || email.StartsWith('@') || email.EndsWith('@')))
            {
                problems.Add($"email '{email}' is not an e-mail address");
            }

            SubscriptionRow? subscription = null;
            var msisdnText = F("msisdn");
            if (msisdnText.Length > 0 || F("plan").Length > 0)
            {
                var msisdn = normaliser.Normalise(msisdnText, out var numberProblem);
                if (msisdn is null)
                {
                    problems.Add($"msisdn: {numberProblem}");
                }

                var plan = F("plan");
                if (plan.Length == 0)
                {
                    problems.Add("plan is empty (a subscription needs msisdn, plan and active_from)");
                }

                var from = When(F("active_from"), zone, "active_from", problems);
                var to = F("active_to").Length == 0 ? null : When(F("active_to"), zone, "active_to", problems);
                if (from is null && F("active_from").Length == 0)
                {
                    problems.Add("active_from is empty");
                }

                if (from is { } f && to is { } t && t <= f)
                {
                    problems.Add("active_to must be after active_from (the period is [active_from, active_to))");
                }

                if (msisdn is not null && plan.Length > 0 && from is not null)
                {
                    subscription = new SubscriptionRow(msisdn, plan, from.Value, to);
                }
            }

            if (problems.Count > 0)
            {
                errors.Add(new ImportError(line, string.Join("; ", problems)));
                continue;
            }

            var language = F("language");
            rows.Add(new AccountRow(line, id, name, F("billing_address"), email.Length == 0 ? null : email,
                language.Length == 0 ? "en" : language.ToLowerInvariant(), currency, zoneId, paymentType, cycleDay,
                F("tax_region"), F("segment"), subscription));
        }

        return (rows, errors);
    }

    /// <summary>A date (start of that day in the account's zone) or an ISO-8601 instant with offset.</summary>
    private static Instant? When(string text, DateTimeZone? zone, string column, List<string> problems)
    {
        if (text.Length == 0)
        {
            return null;
        }

        var date = DatePattern.Parse(text);
        if (date.Success)
        {
            return zone is null ? null : zone.AtStartOfDay(date.Value).ToInstant();
        }

        var instant = InstantPattern.Parse(text);
        if (instant.Success)
        {
            return instant.Value.ToInstant();
        }

        problems.Add($"{column} '{text}' is neither a date (2026-11-01) nor an ISO-8601 time with offset");
        return null;
    }
}
