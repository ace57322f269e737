using System.Globalization;
using Billing.Core.Accounts;
using Billing.Core.Imports;
using Billing.Core.Money;
using CsvHelper;
using NodaTime;
using NodaTime.Text;

namespace Billing.Mediation.Imports;

/// <summary>
/// Reads an accounts file (documented in README): header row, columns by name, each good row made
/// into the core's <see cref="AccountImportLine"/>. Every bad row is reported with its line number
/// and every problem it has; the caller imports nothing unless there are none.
/// </summary>
public static class AccountCsvReader
{
    public static readonly IReadOnlyList<string> Required = ["account_id", "name", "currency", "time_zone", "payment_type", "bill_cycle_day"];

    public static readonly IReadOnlyList<string> Optional =
        ["billing_address", "email", "language", "tax_region", "segment", "msisdn", "plan", "active_from", "active_to"];

    private static readonly LocalDatePattern DatePattern = LocalDatePattern.Iso;
    private static readonly OffsetDateTimePattern InstantPattern = OffsetDateTimePattern.ExtendedIso;

    public static (IReadOnlyList<AccountImportLine> Rows, IReadOnlyList<ImportError> Errors) Read(string path, NumberingPlan numbering)
    {
        var rows = new List<AccountImportLine>();
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

            var currencyCode = F("currency").ToUpperInvariant();
            Currency? currency = null;
            try
            {
                currency = Currency.Of(currencyCode);
            }
            catch (ArgumentException)
            {
                problems.Add($"currency '{currencyCode}' is not an ISO 4217 code we know");
            }

            var zoneId = F("time_zone");
            var zone = Account.Zone(zoneId);
            if (zone is null)
            {
                problems.Add($"time_zone '{zoneId}' is not an IANA zone (e.g. Europe/London)");
            }

            if (!PaymentTypes.TryParse(F("payment_type"), out var paymentType))
            {
                problems.Add($"payment_type '{F("payment_type").ToLowerInvariant()}' must be {PaymentTypes.PostpaidCode} or {PaymentTypes.PrepaidCode}");
            }

            if (!int.TryParse(F("bill_cycle_day"), NumberStyles.None, CultureInfo.InvariantCulture, out var cycleDay) || !Account.IsBillCycleDay(cycleDay))
            {
                problems.Add($"bill_cycle_day '{F("bill_cycle_day")}' must be a day of the month from {Account.FirstBillCycleDay} to {Account.LastBillCycleDay}");
            }

            var email = F("email");
            if (email.Length > 0 && !Account.IsEmail(email))
            {
                problems.Add($"email '{email}' is not an e-mail address");
            }

            var language = F("language");
            if (language.Length > 0 && !Account.IsLanguage(language))
            {
                problems.Add($"language '{language}' is not a language tag (en, pl, pt-br …)");
            }

            (string Msisdn, string Plan, Instant From, Instant? To)? subscription = null;
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
                    subscription = (msisdn, plan, from.Value, to);
                }
            }

            if (problems.Count > 0)
            {
                errors.Add(new ImportError(line, string.Join("; ", problems)));
                continue;
            }

            var account = new Account(id, name, F("billing_address"), email.Length == 0 ? null : email,
                language.Length == 0 ? "en" : language.ToLowerInvariant(), currency!, zoneId, paymentType, cycleDay,
                F("tax_region"), F("segment"));
            rows.Add(new AccountImportLine(line, account, subscription is { } s ? new Subscription(0, id, s.Msisdn, s.Plan, s.From, s.To) : null));
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
        var instant = date.Success ? null : InstantPattern.Parse(text);
        if (date.Success && zone is null)
        {
            return null;
        }

        if (date.Success || instant!.Success)
        {
            var at = date.Success ? ImportTimes.StartOfDay(date.Value, zone!) : ImportTimes.ToInstant(instant!.Value);
            if (at is null)
            {
                problems.Add(ImportTimes.OutOfRange(column, text));
            }

            return at;
        }

        problems.Add($"{column} '{text}' is neither a date (2026-11-01) nor an ISO-8601 time with offset");
        return null;
    }
}
