using System.Globalization;
using Billing.Core.Catalog;
using Billing.Core.Money;
using Billing.Core.Usage;
using NodaTime;
using NodaTime.Text;

namespace Billing.Catalog;

/// <summary>
/// Reads the native catalogue: a set of CSV files (a folder, or the files of a stored version) with a header row (columns by name, any
/// order), `#` comment lines and blank lines allowed. templates/catalog/README.md documents every
/// file, column and unit. Every error is reported with its file and line; reading never stops at
/// the first, and cross-references are checked once all files are read.
/// </summary>
public static class NativeCatalogReader
{
    public const string DestinationsFile = "destinations.csv";
    public const string TimingsFile = "timings.csv";
    public const string HolidaysFile = "holidays.csv";
    public const string RatesFile = "rates.csv";
    public const string PlansFile = "plans.csv";
    public const string PricesFile = "prices.csv";
    public const string AllowancesFile = "allowances.csv";
    public const string RecurringFeesFile = "recurring_fees.csv";
    public const string PrepaidFile = "prepaid.csv";
    public const string BundlesFile = "bundles.csv";

    private static readonly LocalDatePattern IsoDate = LocalDatePattern.Iso;

    /// <summary>Reads the catalogue in <paramref name="folder"/> (its *.csv files, see <see cref="CatalogSource.ReadFiles"/>).</summary>
    public static CatalogLoadResult Load(string folder, string version)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (!Directory.Exists(folder))
        {
            var problems = new CatalogProblems();
            problems.Error(folder, 0, "the catalogue folder does not exist");
            return problems.Result(() => throw new InvalidOperationException());
        }

        return Load(CatalogSource.ReadFiles(folder), version);
    }

    /// <summary>Reads a catalogue from its files' contents, by file name (destinations.csv → its text).</summary>
    public static CatalogLoadResult Load(IReadOnlyDictionary<string, string> files, string version)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var problems = new CatalogProblems();
        var destinations = ReadDestinations(files, problems, out var groups);
        var timings = ReadTimings(files, problems);
        var holidays = ReadHolidays(files, problems);
        var rates = ReadRates(files, problems, out var rateKinds);
        var plans = ReadPlans(files, problems);
        ReadPrices(files, problems, plans, groups, timings, rates, rateKinds);
        ReadAllowances(files, problems, plans, groups);
        ReadRecurringFees(files, problems, plans);
        ReadPrepaid(files, problems, plans);
        ReadBundles(files, problems, plans, groups);

        return problems.Result(() => new TariffCatalog
        {
            Version = version,
            Destinations = new DestinationTable(destinations),
            Timings = timings,
            Rates = rates,
            Plans = plans.ToDictionary(p => p.Key, p => p.Value.Build(), StringComparer.Ordinal),
            Holidays = holidays,
        });
    }

    private static List<(string Prefix, string Group)> ReadDestinations(IReadOnlyDictionary<string, string> files, CatalogProblems problems, out HashSet<string> groups)
    {
        var rows = CsvTable.ReadWithHeader(files, DestinationsFile, required: true, ["group", "prefix"], [], problems);
        var entries = new List<(string, string)>(rows.Count);
        var seen = new Dictionary<(string, string), long>();
        groups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var group = row["group"];
            var prefix = row["prefix"].TrimStart('+');
            var ok = CheckId(row, "group", group, problems);
            if (prefix.Length == 0 || !prefix.All(char.IsAsciiDigit))
            {
                problems.Error(row.File, row.Line, $"prefix '{row["prefix"]}' is not a string of digits (E.164 without '+')");
                ok = false;
            }

            if (!ok)
            {
                continue;
            }

            if (seen.TryGetValue((group, prefix), out var first))
            {
                problems.Error(row.File, row.Line, $"prefix {prefix} is already in group '{group}' (line {first})");
                continue;
            }

            seen[(group, prefix)] = row.Line;
            groups.Add(group);
            entries.Add((prefix, group));
        }

        return entries;
    }

    private static Dictionary<string, Timing> ReadTimings(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        var rows = CsvTable.ReadWithHeader(files, TimingsFile, required: false, ["timing", "weekdays", "from", "to"], ["holidays", "months", "monthdays", "years"], problems);
        var timings = new Dictionary<string, Timing>(StringComparer.Ordinal) { [Timing.Always.Id] = Timing.Always };
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var id = row["timing"];
            var ok = CheckId(row, "timing", id, problems);
            if (ok && (timings.ContainsKey(id) || lines.ContainsKey(id)))
            {
                problems.Error(row.File, row.Line, lines.TryGetValue(id, out var first) ? $"timing '{id}' is defined twice (first on line {first})" : $"'{id}' is built in and cannot be redefined");
                ok = false;
            }

            var weekDays = ParseWeekDays(row, problems, ref ok);
            var months = ParseNumberSet(row, "months", 1, 12, problems, ref ok);
            var monthDays = ParseNumberSet(row, "monthdays", 1, 31, problems, ref ok);
            var years = ParseNumberSet(row, "years", 1900, 2999, problems, ref ok);
            var holidays = row["holidays"].ToLowerInvariant() switch
            {
                "" or "any" => HolidayRule.Any,
                "only" => HolidayRule.Only,
                "exclude" => HolidayRule.Exclude,
                _ => (HolidayRule?)null,
            };
            if (holidays is null)
            {
                problems.Error(row.File, row.Line, $"holidays '{row["holidays"]}' must be any, only or exclude");
                ok = false;
            }

            var start = LocalTime.Midnight;
            if (row["from"].Length > 0 && !CatalogUnits.TryParseTime(row["from"], out start))
            {
                problems.Error(row.File, row.Line, $"from '{row["from"]}' is not a time of day (HH:mm or HH:mm:ss)");
                ok = false;
            }

            LocalTime? end = null;
            var to = row["to"];
            if (to.Length > 0 && to is not "24:00" and not "24:00:00")
            {
                if (CatalogUnits.TryParseTime(to, out var e))
                {
                    end = e;
                    if (e <= start)
                    {
                        problems.Error(row.File, row.Line, $"to {to} is not after from {start:HH:mm:ss} (a band across midnight is two timings; empty to = midnight)");
                        ok = false;
                    }
                }
                else
                {
                    problems.Error(row.File, row.Line, $"to '{to}' is not a time of day (HH:mm or HH:mm:ss; empty = midnight)");
                    ok = false;
                }
            }

            if (!ok)
            {
                continue;
            }

            lines[id] = row.Line;
            timings[id] = new Timing
            {
                Id = id,
                WeekDays = weekDays,
                Months = months,
                MonthDays = monthDays,
                Years = years,
                Holidays = holidays!.Value,
                Start = start,
                End = end,
            };
        }

        return timings;
    }

    private static HashSet<LocalDate> ReadHolidays(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        var rows = CsvTable.ReadWithHeader(files, HolidaysFile, required: false, ["date"], ["name"], problems);
        var dates = new Dictionary<LocalDate, long>();
        foreach (var row in rows)
        {
            var parsed = IsoDate.Parse(row["date"]);
            if (!parsed.Success)
            {
                problems.Error(row.File, row.Line, $"date '{row["date"]}' is not a date (yyyy-MM-dd)");
            }
            else if (!dates.TryAdd(parsed.Value, row.Line))
            {
                problems.Error(row.File, row.Line, $"{row["date"]} is listed twice (first on line {dates[parsed.Value]})");
            }
        }

        return [.. dates.Keys];
    }

    private static Dictionary<string, Rate> ReadRates(IReadOnlyDictionary<string, string> files, CatalogProblems problems, out Dictionary<string, QuantityKind> kinds)
    {
        string[] rateColumns = ["connect_fee", "minimum", "max_cost", "max_cost_strategy", "rounding", "decimals"];
        var rows = CsvTable.ReadWithHeader(files, RatesFile, required: true, ["rate", "from", "price", "unit", "increment"], rateColumns, problems);
        var drafts = new Dictionary<string, RateDraft>(StringComparer.Ordinal);
        kinds = new Dictionary<string, QuantityKind>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var id = row["rate"];
            if (!CheckId(row, "rate", id, problems))
            {
                continue;
            }

            if (!drafts.TryGetValue(id, out var draft))
            {
                draft = new RateDraft(id, row);
                drafts[id] = draft;
                draft.ReadRateColumns(row, problems);
            }
            else
            {
                // Rate-level columns belong on the rate's first row; later rows may repeat them unchanged or leave them empty.
                foreach (var column in rateColumns)
                {
                    if (row[column].Length > 0 && !SameValue(column, row[column], draft.First[column]))
                    {
                        problems.Error(row.File, row.Line, $"{column} '{row[column]}' differs from '{draft.First[column]}' on the rate's first row (line {draft.First.Line}); rate-level columns belong on the first row");
                    }
                }
            }

            draft.AddStep(row, problems);
        }

        var rates = new Dictionary<string, Rate>(StringComparer.Ordinal);
        foreach (var draft in drafts.Values)
        {
            if (draft.Finish(problems) is { } rate)
            {
                rates[draft.Id] = rate;
                kinds[draft.Id] = draft.Kind;
            }
        }

        return rates;
    }

    private static bool SameValue(string column, string a, string b) =>
        column is "connect_fee" or "minimum" or "max_cost"
            ? CatalogUnits.TryParseDecimal(a, out var x) && CatalogUnits.TryParseDecimal(b, out var y) && x == y
            : a.Equals(b, StringComparison.OrdinalIgnoreCase);

    private static Dictionary<string, PlanDraft> ReadPlans(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        var rows = CsvTable.ReadWithHeader(files, PlansFile, required: true, ["plan", "currency", "time_zone"], ["name"], problems);
        var plans = new Dictionary<string, PlanDraft>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var id = row["plan"];
            var ok = CheckId(row, "plan", id, problems);
            if (ok && plans.TryGetValue(id, out var first))
            {
                problems.Error(row.File, row.Line, $"plan '{id}' is defined twice (first on line {first.Line})");
                ok = false;
            }

            var currency = row["currency"];
            try
            {
                _ = Currency.Of(currency);
            }
            catch (ArgumentException)
            {
                problems.Error(row.File, row.Line, $"currency '{currency}' is not a known ISO 4217 code");
                ok = false;
            }

            var zone = row["time_zone"];
            if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone) is null)
            {
                problems.Error(row.File, row.Line, $"time_zone '{zone}' is not an IANA time zone (e.g. Europe/London)");
                ok = false;
            }

            if (ok)
            {
                plans[id] = new PlanDraft(id, row["name"], currency, zone, row.Line);
            }
        }

        return plans;
    }

    private static void ReadPrices(
        IReadOnlyDictionary<string, string> files, CatalogProblems problems, Dictionary<string, PlanDraft> plans, HashSet<string> groups,
        Dictionary<string, Timing> timings, Dictionary<string, Rate> rates, Dictionary<string, QuantityKind> rateKinds)
    {
        var rows = CsvTable.ReadWithHeader(files, PricesFile, required: true, ["plan", "service", "destination", "timing", "weight", "rate"], [], problems);
        var seen = new Dictionary<(string, ServiceType, string, string), long>();
        foreach (var row in rows)
        {
            var ok = true;
            var plan = Lookup(row, "plan", plans, PlansFile, problems, ref ok);
            if (!ServiceTypes.TryParse(row["service"], out var service))
            {
                problems.Error(row.File, row.Line, $"service '{row["service"]}' must be voice, sms or data");
                ok = false;
            }

            var destination = row["destination"];
            if (destination != Plan.AnyDestination && !groups.Contains(destination))
            {
                problems.Error(row.File, row.Line, $"destination group '{destination}' is not in {DestinationsFile} (use *any for every destination)");
                ok = false;
            }

            var timingId = row["timing"].Length == 0 ? Timing.Always.Id : row["timing"];
            if (!timings.ContainsKey(timingId))
            {
                problems.Error(row.File, row.Line, $"timing '{timingId}' is not in {TimingsFile}");
                ok = false;
            }

            if (!CatalogUnits.TryParseDecimal(row["weight"], out var weight))
            {
                problems.Error(row.File, row.Line, $"weight '{row["weight"]}' is not a number");
                ok = false;
            }

            var rateId = row["rate"];
            if (!rates.ContainsKey(rateId))
            {
                problems.Error(row.File, row.Line, $"rate '{rateId}' is not in {RatesFile} (or has errors there)");
                ok = false;
            }
            else if (ok && rateKinds[rateId] is var kind && kind != QuantityKind.Plain && kind != CatalogUnits.KindOf(service))
            {
                problems.Error(row.File, row.Line, $"rate '{rateId}' is written in {kind.ToString().ToLowerInvariant()} units and cannot price {service.Code()}");
                ok = false;
            }

            if (!ok || plan is null)
            {
                continue;
            }

            if (seen.TryGetValue((plan.Id, service, destination, timingId), out var first))
            {
                problems.Error(row.File, row.Line, $"plan '{plan.Id}' already prices {service.Code()} to '{destination}' in timing '{timingId}' (line {first})");
                continue;
            }

            seen[(plan.Id, service, destination, timingId)] = row.Line;
            plan.Entries(service).Add(new PriceEntry(destination, timingId, weight, rateId));
        }
    }

    private static void ReadAllowances(IReadOnlyDictionary<string, string> files, CatalogProblems problems, Dictionary<string, PlanDraft> plans, HashSet<string> groups)
    {
        var rows = CsvTable.ReadWithHeader(files, AllowancesFile, required: false, ["plan", "allowance", "service", "amount"], ["destinations"], problems);
        foreach (var row in rows)
        {
            if (ReadAllowance(row, "allowance", problems, plans, groups) is var (plan, allowance) && plan is not null)
            {
                plan.Allowances.Add(allowance);
            }
        }
    }

    private static void ReadBundles(IReadOnlyDictionary<string, string> files, CatalogProblems problems, Dictionary<string, PlanDraft> plans, HashSet<string> groups)
    {
        var rows = CsvTable.ReadWithHeader(files, BundlesFile, required: false, ["plan", "bundle", "service", "amount", "price"], ["destinations", "name"], problems);
        foreach (var row in rows)
        {
            var priced = CatalogUnits.TryParseDecimal(row["price"], out var price) && price >= 0;
            if (!priced)
            {
                problems.Error(row.File, row.Line, $"price '{row["price"]}' is not a non-negative decimal (e.g. 5.00)");
            }

            if (ReadAllowance(row, "bundle", problems, plans, groups) is var (plan, allowance) && plan is not null && priced)
            {
                // Bought, not granted per cycle: amount 0 in the plan's allowances; purchases add to it.
                plan.Allowances.Add(allowance with { Amount = 0 });
                plan.Bundles.Add(new Bundle(allowance.Id, row["name"].Length == 0 ? allowance.Id : row["name"], allowance, price));
            }
        }
    }

    /// <summary>An allowance row (allowances.csv, bundles.csv): plan, id, service, amount with its unit, destination groups.</summary>
    private static (PlanDraft? Plan, Allowance Allowance)? ReadAllowance(CsvRow row, string idColumn, CatalogProblems problems, Dictionary<string, PlanDraft> plans, HashSet<string> groups)
    {
        var ok = true;
        var plan = Lookup(row, "plan", plans, PlansFile, problems, ref ok);
        var id = row[idColumn];
        ok &= CheckId(row, idColumn, id, problems);
        if (!ServiceTypes.TryParse(row["service"], out var service))
        {
            problems.Error(row.File, row.Line, $"service '{row["service"]}' must be voice, sms or data");
            ok = false;
        }

        long amount = 0;
        if (ok && (!CatalogUnits.TryParseQuantity(service, row["amount"], out amount) || amount <= 0))
        {
            problems.Error(row.File, row.Line, $"amount '{row["amount"]}' is not a positive {service.Code()} quantity (e.g. {Example(service)})");
            ok = false;
        }

        HashSet<string>? destinations = null;
        if (row["destinations"].Length > 0)
        {
            destinations = new HashSet<string>(StringComparer.Ordinal);
            foreach (var group in row["destinations"].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!groups.Contains(group))
                {
                    problems.Error(row.File, row.Line, $"destination group '{group}' is not in {DestinationsFile}");
                    ok = false;
                }

                destinations.Add(group);
            }
        }

        if (!ok || plan is null)
        {
            return null;
        }

        if (plan.Allowances.Any(a => a.Id == id))
        {
            problems.Error(row.File, row.Line, $"plan '{plan.Id}' already has an allowance or bundle '{id}'");
            return null;
        }

        return (plan, new Allowance(id, service, amount, destinations));
    }

    private static void ReadRecurringFees(IReadOnlyDictionary<string, string> files, CatalogProblems problems, Dictionary<string, PlanDraft> plans)
    {
        var rows = CsvTable.ReadWithHeader(files, RecurringFeesFile, required: false, ["plan", "fee", "amount"], ["description", "tax_category"], problems);
        foreach (var row in rows)
        {
            var ok = true;
            var plan = Lookup(row, "plan", plans, PlansFile, problems, ref ok);
            var id = row["fee"];
            ok &= CheckId(row, "fee", id, problems);
            if (!CatalogUnits.TryParseDecimal(row["amount"], out var amount) || amount < 0)
            {
                problems.Error(row.File, row.Line, $"amount '{row["amount"]}' is not a non-negative decimal (e.g. 15.00)");
                ok = false;
            }

            if (!ok || plan is null)
            {
                continue;
            }

            if (plan.Fees.Any(f => f.Id == id))
            {
                problems.Error(row.File, row.Line, $"plan '{plan.Id}' already has a fee '{id}'");
                continue;
            }

            var tax = row["tax_category"];
            plan.Fees.Add(new RecurringFee(id, row["description"], amount, tax.Length == 0 ? "standard" : tax));
        }
    }

    private static void ReadPrepaid(IReadOnlyDictionary<string, string> files, CatalogProblems problems, Dictionary<string, PlanDraft> plans)
    {
        var rows = CsvTable.ReadWithHeader(files, PrepaidFile, required: false, ["plan"], ["thresholds", "at_zero", "credit_limit", "expiry_days"], problems);
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var ok = true;
            var plan = Lookup(row, "plan", plans, PlansFile, problems, ref ok);
            var thresholds = new List<decimal>();
            foreach (var part in row["thresholds"].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (CatalogUnits.TryParseDecimal(part, out var t))
                {
                    thresholds.Add(t);
                }
                else
                {
                    problems.Error(row.File, row.Line, $"threshold '{part}' is not a decimal (thresholds are balances separated by ';', e.g. 5.00;1.00;0)");
                    ok = false;
                }
            }

            var atZero = row["at_zero"].Length == 0 ? "bar" : row["at_zero"].ToLowerInvariant();
            var limit = 0m;
            if (atZero is not ("bar" or "credit"))
            {
                problems.Error(row.File, row.Line, $"at_zero '{row["at_zero"]}' must be bar (barred at zero) or credit (down to credit_limit)");
                ok = false;
            }
            else if (atZero == "credit" && (!CatalogUnits.TryParseDecimal(row["credit_limit"], out limit) || limit <= 0))
            {
                problems.Error(row.File, row.Line, $"credit_limit '{row["credit_limit"]}' must be a positive decimal when at_zero is credit (e.g. 10.00)");
                ok = false;
            }
            else if (atZero == "bar" && row["credit_limit"].Length > 0 && !(CatalogUnits.TryParseDecimal(row["credit_limit"], out var zero) && zero == 0))
            {
                problems.Error(row.File, row.Line, "credit_limit is only for at_zero = credit (a barred-at-zero plan has none)");
                ok = false;
            }

            foreach (var t in thresholds.Where(t => t < -limit))
            {
                problems.Error(row.File, row.Line, $"threshold {t} is below what the balance can reach ({-limit})");
                ok = false;
            }

            int? expiry = null;
            if (row["expiry_days"].Length > 0)
            {
                if (int.TryParse(row["expiry_days"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) && days > 0)
                {
                    expiry = days;
                }
                else
                {
                    problems.Error(row.File, row.Line, $"expiry_days '{row["expiry_days"]}' must be a positive whole number of days (empty: credit never expires)");
                    ok = false;
                }
            }

            if (!ok || plan is null)
            {
                continue;
            }

            if (seen.TryGetValue(plan.Id, out var first))
            {
                problems.Error(row.File, row.Line, $"plan '{plan.Id}' already has its prepaid settings on line {first}");
                continue;
            }

            seen[plan.Id] = row.Line;
            plan.Prepaid = new Billing.Core.Prepaid.PrepaidPolicy([.. thresholds.Distinct().OrderDescending()], limit, expiry);
        }
    }

    private static string Example(ServiceType service) => service switch
    {
        ServiceType.Voice => "300min, 18000s",
        ServiceType.Sms => "100sms",
        _ => "5GB, 500MB",
    };

    private static T? Lookup<T>(CsvRow row, string column, Dictionary<string, T> items, string file, CatalogProblems problems, ref bool ok)
        where T : class
    {
        if (items.TryGetValue(row[column], out var item))
        {
            return item;
        }

        problems.Error(row.File, row.Line, $"{column} '{row[column]}' is not in {file} (or has errors there)");
        ok = false;
        return null;
    }

    private static bool CheckId(CsvRow row, string column, string id, CatalogProblems problems)
    {
        if (id.Length == 0)
        {
            problems.Error(row.File, row.Line, $"{column} is empty");
            return false;
        }

        if (id.StartsWith('*') || id.Any(char.IsWhiteSpace) || id.Contains(';', StringComparison.Ordinal))
        {
            problems.Error(row.File, row.Line, $"{column} '{id}' may not start with '*' or contain spaces or ';'");
            return false;
        }

        return true;
    }

    private static readonly Dictionary<string, IsoDayOfWeek> DayNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mon"] = IsoDayOfWeek.Monday, ["tue"] = IsoDayOfWeek.Tuesday, ["wed"] = IsoDayOfWeek.Wednesday, ["thu"] = IsoDayOfWeek.Thursday,
        ["fri"] = IsoDayOfWeek.Friday, ["sat"] = IsoDayOfWeek.Saturday, ["sun"] = IsoDayOfWeek.Sunday,
    };

    /// <summary>`*any` (or empty), `mon-fri`, `sat;sun`, `mon;wed-fri`; a range may wrap (`fri-mon`).</summary>
    private static HashSet<IsoDayOfWeek>? ParseWeekDays(CsvRow row, CatalogProblems problems, ref bool ok)
    {
        var text = row["weekdays"];
        if (text.Length == 0 || text == "*any")
        {
            return null;
        }

        var days = new HashSet<IsoDayOfWeek>();
        foreach (var part in text.Split(';', StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length is < 1 or > 2 || !bounds.All(DayNames.ContainsKey))
            {
                problems.Error(row.File, row.Line, $"weekdays '{text}': '{part}' is not a day (mon…sun) or a range like mon-fri");
                ok = false;
                return null;
            }

            var from = (int)DayNames[bounds[0]];
            var to = (int)DayNames[bounds[^1]];
            for (var d = from; ; d = d % 7 + 1)
            {
                days.Add((IsoDayOfWeek)d);
                if (d == to)
                {
                    break;
                }
            }
        }

        return days;
    }

    /// <summary>`*any` (or empty), `1;2;3`, `1-3;12`.</summary>
    private static HashSet<int>? ParseNumberSet(CsvRow row, string column, int min, int max, CatalogProblems problems, ref bool ok)
    {
        var text = row[column];
        if (text.Length == 0 || text == "*any")
        {
            return null;
        }

        var values = new HashSet<int>();
        foreach (var part in text.Split(';', StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length is < 1 or > 2
                || !int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
                || from < min || to > max || from > to)
            {
                problems.Error(row.File, row.Line, $"{column} '{text}': '{part}' is not a number or range within {min}..{max}");
                ok = false;
                return null;
            }

            for (var v = from; v <= to; v++)
            {
                values.Add(v);
            }
        }

        return values;
    }

    private sealed class RateDraft(string id, CsvRow first)
    {
        private readonly List<(RateStep Step, long Line)> _steps = [];
        private bool _broken;
        private decimal _connectFee;
        private decimal _minimum;
        private decimal _maxCost;
        private MaxCostStrategy _strategy = MaxCostStrategy.Free;
        private RoundingMethod _rounding = RoundingMethod.Middle;
        private int _decimals = 4;

        public string Id { get; } = id;

        public CsvRow First { get; } = first;

        public QuantityKind Kind { get; private set; } = QuantityKind.Plain;

        public void ReadRateColumns(CsvRow row, CatalogProblems problems)
        {
            _connectFee = Money(row, "connect_fee", problems);
            _minimum = Money(row, "minimum", problems);
            _maxCost = Money(row, "max_cost", problems);
            switch (row["max_cost_strategy"].ToLowerInvariant())
            {
                case "" or "free": _strategy = MaxCostStrategy.Free; break;
                case "disconnect": _strategy = MaxCostStrategy.Disconnect; break;
                default: Fail(row, problems, $"max_cost_strategy '{row["max_cost_strategy"]}' must be free or disconnect"); break;
            }

            switch (row["rounding"].ToLowerInvariant())
            {
                case "" or "middle": _rounding = RoundingMethod.Middle; break;
                case "up": _rounding = RoundingMethod.Up; break;
                case "down": _rounding = RoundingMethod.Down; break;
                default: Fail(row, problems, $"rounding '{row["rounding"]}' must be up, middle or down"); break;
            }

            if (row["decimals"].Length > 0)
            {
                if (!int.TryParse(row["decimals"], NumberStyles.None, CultureInfo.InvariantCulture, out _decimals) || _decimals > 6)
                {
                    Fail(row, problems, $"decimals '{row["decimals"]}' must be a whole number from 0 to 6");
                }
            }
        }

        public void AddStep(CsvRow row, CatalogProblems problems)
        {
            var ok = true;
            var from = Quantity(row, "from", allowZero: true, problems, ref ok);
            var unit = Quantity(row, "unit", allowZero: false, problems, ref ok);
            var increment = Quantity(row, "increment", allowZero: false, problems, ref ok);
            if (!CatalogUnits.TryParseDecimal(row["price"], out var price) || price < 0)
            {
                Fail(row, problems, $"price '{row["price"]}' is not a non-negative decimal (e.g. 0.05)");
                ok = false;
            }

            if (!ok)
            {
                _broken = true;
                return;
            }

            if (_steps.Count == 0 && from != 0)
            {
                Fail(row, problems, $"the first step of rate '{Id}' must start at 0, not {row["from"]}");
                return;
            }

            if (_steps.Count > 0)
            {
                var (previous, previousLine) = _steps[^1];
                if (from <= previous.From)
                {
                    Fail(row, problems, $"step from {from} does not increase on the previous step's {previous.From} (line {previousLine})");
                    return;
                }

                if ((from - previous.From) % previous.Increment != 0)
                {
                    _broken = true;
                    problems.Error(row.File, previousLine, $"this step spans {from - previous.From} (to the next step on line {row.Line}), not a multiple of its increment {previous.Increment}");
                }
            }

            _steps.Add((new RateStep(from, price, unit, increment), row.Line));
        }

        public Rate? Finish(CatalogProblems problems)
        {
            if (_broken || _steps.Count == 0)
            {
                return null;
            }

            if (_minimum > 0 && _maxCost > 0 && _maxCost < _minimum)
            {
                problems.Error(First.File, First.Line, $"max_cost {_maxCost} is below minimum {_minimum}");
                return null;
            }

            return new Rate
            {
                Id = Id,
                ConnectFee = _connectFee,
                Steps = [.. _steps.Select(s => s.Step)],
                MinimumCharge = _minimum,
                MaxCost = _maxCost,
                MaxCostStrategy = _strategy,
                Rounding = _rounding,
                RoundingDecimals = _decimals,
            };
        }

        private long Quantity(CsvRow row, string column, bool allowZero, CatalogProblems problems, ref bool ok)
        {
            if (!CatalogUnits.TryParseQuantity(row[column], out var value, out var kind) || (!allowZero && value == 0))
            {
                Fail(row, problems, $"{column} '{row[column]}' is not a {(allowZero ? "" : "positive ")}quantity (e.g. 60s, 1m, 1KB, 1MB, 1sms or a plain number)");
                ok = false;
                return 0;
            }

            if (kind != QuantityKind.Plain)
            {
                if (Kind != QuantityKind.Plain && Kind != kind)
                {
                    Fail(row, problems, $"{column} '{row[column]}' mixes {kind.ToString().ToLowerInvariant()} with {Kind.ToString().ToLowerInvariant()} units in rate '{Id}'");
                    ok = false;
                }

                Kind = kind;
            }

            return value;
        }

        private decimal Money(CsvRow row, string column, CatalogProblems problems)
        {
            if (row[column].Length == 0)
            {
                return 0m;
            }

            if (CatalogUnits.TryParseDecimal(row[column], out var value) && value >= 0)
            {
                return value;
            }

            Fail(row, problems, $"{column} '{row[column]}' is not a non-negative decimal");
            return 0m;
        }

        private void Fail(CsvRow row, CatalogProblems problems, string message)
        {
            _broken = true;
            problems.Error(row.File, row.Line, message);
        }
    }

    private sealed class PlanDraft(string id, string name, string currency, string zone, long line)
    {
        public string Id { get; } = id;

        public long Line { get; } = line;

        public List<PriceEntry> Voice { get; } = [];

        public List<PriceEntry> Sms { get; } = [];

        public List<PriceEntry> Data { get; } = [];

        public List<Allowance> Allowances { get; } = [];

        public List<RecurringFee> Fees { get; } = [];

        public List<Bundle> Bundles { get; } = [];

        public Billing.Core.Prepaid.PrepaidPolicy Prepaid { get; set; } = Billing.Core.Prepaid.PrepaidPolicy.Default;

        public List<PriceEntry> Entries(ServiceType service) => service switch
        {
            ServiceType.Voice => Voice,
            ServiceType.Sms => Sms,
            ServiceType.Data => Data,
            _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
        };

        public Plan Build() => new()
        {
            Id = Id,
            Name = name.Length == 0 ? Id : name,
            Currency = currency,
            TimeZone = zone,
            Voice = [.. Voice],
            Sms = [.. Sms],
            Data = [.. Data],
            Allowances = [.. Allowances],
            RecurringFees = [.. Fees],
            Prepaid = Prepaid,
            Bundles = [.. Bundles],
        };
    }
}
