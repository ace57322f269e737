using System.Globalization;
using Billing.Core.Catalog;
using Billing.Core.Money;
using NodaTime;
using NodaTime.Text;

namespace Billing.Catalog;

/// <summary>
/// Imports a CGRateS tariff plan folder (Destinations, Timings, Rates, DestinationRates,
/// RatingPlans, RatingProfiles .csv; positional columns, no header, `#` comment lines) into a
/// <see cref="TariffCatalog"/>. Every RatingPlan becomes a plan pricing voice, SMS and data alike;
/// every DestinationRates row a rate "{DestinationRatesId}/{RatesTag}"; every error is reported
/// with its file and line.
/// </summary>
/// <remarks>
/// Where a timing ends. A CGRateS timing has only a start Time; the loader leaves the interval's
/// EndTime empty, and RITiming.getRightMargin (engine/rateinterval.go) then treats it as active
/// until 23:59:59 of every matching day. Overlaps are resolved in
/// RatingInfo.SelectRatingIntevalsForTimespan (engine/ratingprofile.go): among the intervals
/// active at a moment it takes the one whose start is the latest not after that moment (ignoring
/// lower weights), and a later-starting interval that begins inside the span splits it. So in
/// effect a timing ends where the next timing of the same rating plan and destination starts on
/// the same days. The import makes that explicit: a timing's End becomes the earliest later Start
/// among the timings priced with it (same rating plan, same destination, weight not lower) whose
/// day filters cover its own. A later timing that covers only some of its days cannot be
/// expressed with one End and is reported as a warning (the timings are left overlapping). When
/// the same CGRateS timing gets different ends in different places, each variant is its own
/// timing "{Tag}@{HH:mm:ss}". A Time written "start;end" (CGRateS' explicit EndTime, inclusive to
/// the second) keeps that end, plus one second to make it exclusive.
/// </remarks>
public static class CgratesImporter
{
    public const string DestinationsFile = "Destinations.csv";
    public const string TimingsFile = "Timings.csv";
    public const string RatesFile = "Rates.csv";
    public const string DestinationRatesFile = "DestinationRates.csv";
    public const string RatingPlansFile = "RatingPlans.csv";
    public const string RatingProfilesFile = "RatingProfiles.csv";

    private const string Any = "*any";

    private static readonly LocalTimePattern TimePattern = LocalTimePattern.CreateWithInvariantCulture("HH:mm:ss");

    /// <summary>Imports the tariff plan in <paramref name="folder"/> (its *.csv files, see <see cref="CatalogSource.ReadFiles"/>).</summary>
    public static CatalogLoadResult Load(string folder, CgratesImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            var problems = CheckOptions(options);
            problems.Error(folder, 0, "the tariff plan folder does not exist");
            return problems.Result(() => throw new InvalidOperationException());
        }

        return Load(CatalogSource.ReadFiles(folder), options);
    }

    /// <summary>Imports a tariff plan from its files' contents, by file name (Destinations.csv → its text).</summary>
    public static CatalogLoadResult Load(IReadOnlyDictionary<string, string> files, CgratesImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(files);
        var problems = CheckOptions(options);
        var (destinationEntries, destinationIds) = ReadDestinations(files, problems);
        var timings = ReadTimings(files, problems);
        var slots = ReadRates(files, problems);
        var destinationRates = ReadDestinationRates(files, problems, destinationIds, slots, out var rates);
        var planRows = ReadRatingPlans(files, problems, destinationRates, timings);
        var planIds = planRows.Keys.ToHashSet(StringComparer.Ordinal);
        var profiles = ReadRatingProfiles(files, problems, planIds, options);

        if (problems.ErrorCount > 0)
        {
            return problems.Result(() => throw new InvalidOperationException());
        }

        var (catalogTimings, plans) = BuildPlans(planRows, destinationRates, timings, options, problems);
        return problems.Result(() => new TariffCatalog
        {
            Version = options.Version,
            Destinations = new DestinationTable(destinationEntries),
            Timings = catalogTimings,
            Rates = rates,
            Plans = plans,
            RatingProfiles = profiles,
        });
    }

    private static CatalogProblems CheckOptions(CgratesImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new CatalogProblems();
        try
        {
            _ = Currency.Of(options.Currency);
        }
        catch (ArgumentException)
        {
            problems.Error("options", 0, $"currency '{options.Currency}' is not a known ISO 4217 code");
        }

        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(options.TimeZone) is null)
        {
            problems.Error("options", 0, $"time zone '{options.TimeZone}' is not an IANA time zone");
        }

        return problems;
    }

    private static (List<(string Prefix, string Group)> Entries, HashSet<string> Ids) ReadDestinations(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        var entries = new List<(string, string)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        foreach (var row in CsvTable.ReadPositional(files, DestinationsFile, required: true, 2, problems))
        {
            var id = row.At(0);
            var prefix = row.At(1).TrimStart('+'); // CGRateS matches the number as given; our numbers are E.164 digits without '+'
            if (id.Length == 0 || prefix.Length == 0 || !prefix.All(char.IsAsciiDigit))
            {
                problems.Error(row.File, row.Line, $"destination '{id}' prefix '{row.At(1)}' is not a string of digits");
                continue;
            }

            ids.Add(id);
            if (seen.Add((id, prefix)))
            {
                entries.Add((prefix, id));
            }
        }

        return (entries, ids);
    }

    private static Dictionary<string, Timing> ReadTimings(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        var timings = new Dictionary<string, Timing>(StringComparer.Ordinal);
        foreach (var row in CsvTable.ReadPositional(files, TimingsFile, required: true, 6, problems))
        {
            var tag = row.At(0);
            var ok = true;
            if (tag.Length == 0 || tag == Any || timings.ContainsKey(tag))
            {
                problems.Error(row.File, row.Line, tag.Length == 0 ? "the timing tag is empty" : $"timing '{tag}' is defined twice or reserved");
                ok = false;
            }

            var years = Numbers(row, 1, "Years", 1900, 2999, problems, ref ok);
            var months = Numbers(row, 2, "Months", 1, 12, problems, ref ok);
            var monthDays = Numbers(row, 3, "MonthDays", 1, 31, problems, ref ok);
            var weekNumbers = Numbers(row, 4, "WeekDays", 0, 7, problems, ref ok);
            var weekDays = weekNumbers?.Select(d => d == 0 ? IsoDayOfWeek.Sunday : (IsoDayOfWeek)d).ToHashSet(); // 1=Mon…7=Sun; Go's 0=Sunday too

            var time = row.At(5);
            var parts = time.Split(';', StringSplitOptions.TrimEntries);
            var start = LocalTime.Midnight;
            LocalTime? end = null;
            if (time.Length > 0 && time != Any)
            {
                var s = TimePattern.Parse(parts[0]);
                if (!s.Success || parts.Length > 2)
                {
                    problems.Error(row.File, row.Line, $"Time '{time}' is not HH:MM:SS (or start;end)");
                    ok = false;
                }
                else
                {
                    start = s.Value;
                    if (parts.Length == 2)
                    {
                        var e = TimePattern.Parse(parts[1]);
                        if (!e.Success || e.Value < start)
                        {
                            problems.Error(row.File, row.Line, $"Time '{time}': the end is not a time after the start");
                            ok = false;
                        }
                        else if (e.Value != new LocalTime(23, 59, 59))
                        {
                            end = e.Value.PlusSeconds(1); // CGRateS' EndTime is the last active second
                        }
                    }
                }
            }

            if (ok)
            {
                timings[tag] = new Timing { Id = tag, Years = years, Months = months, MonthDays = monthDays, WeekDays = weekDays, Start = start, End = end };
            }
        }

        return timings;
    }

    private sealed record Slot(decimal ConnectFee, RateStep Step, long Line);

    private static Dictionary<string, List<Slot>> ReadRates(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        var slots = new Dictionary<string, List<Slot>>(StringComparer.Ordinal);
        var broken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in CsvTable.ReadPositional(files, RatesFile, required: true, 6, problems))
        {
            var id = row.At(0);
            var ok = id.Length > 0;
            if (!ok)
            {
                problems.Error(row.File, row.Line, "the rate id is empty");
            }

            var connectFee = Decimal(row, 1, "ConnectFee", problems, ref ok);
            var price = Decimal(row, 2, "Rate", problems, ref ok);
            var unit = Duration(row, 3, "RateUnit", positive: true, problems, ref ok);
            var increment = Duration(row, 4, "RateIncrement", positive: true, problems, ref ok);
            var from = Duration(row, 5, "GroupIntervalStart", positive: false, problems, ref ok);
            if (!ok)
            {
                broken.Add(id);
                continue;
            }

            if (!slots.TryGetValue(id, out var list))
            {
                slots[id] = list = [];
            }

            if (list.Find(s => s.Step.From == from) is { } twin)
            {
                problems.Error(row.File, row.Line, $"rate '{id}' already has a slot at GroupIntervalStart {row.At(5)} (line {twin.Line})");
                continue;
            }

            list.Add(new Slot(connectFee, new RateStep(from, price, unit, increment), row.Line));
        }

        foreach (var (id, list) in slots)
        {
            list.Sort((a, b) => a.Step.From.CompareTo(b.Step.From));
            if (list[0].Step.From != 0)
            {
                problems.Error(RatesFile, list[0].Line, $"rate '{id}' has no slot at GroupIntervalStart 0");
                broken.Add(id);
            }

            for (var i = 0; i + 1 < list.Count; i++)
            {
                if ((list[i + 1].Step.From - list[i].Step.From) % list[i].Step.Increment != 0)
                {
                    problems.Warning(RatesFile, list[i].Line, $"rate '{id}': the slot spans {list[i + 1].Step.From - list[i].Step.From}, not a multiple of its increment {list[i].Step.Increment}; its last increment reaches into the next slot");
                }
            }

            foreach (var late in list.Skip(1).Where(s => s.ConnectFee != 0))
            {
                problems.Warning(RatesFile, late.Line, $"rate '{id}': a ConnectFee on a slot after GroupIntervalStart 0 is never charged");
            }
        }

        foreach (var id in broken)
        {
            slots.Remove(id);
        }

        return slots;
    }

    private sealed record DestinationRate(string DestinationId, string RateId, long Line);

    private static Dictionary<string, List<DestinationRate>> ReadDestinationRates(
        IReadOnlyDictionary<string, string> files, CatalogProblems problems, HashSet<string> destinationIds, Dictionary<string, List<Slot>> slots, out Dictionary<string, Rate> rates)
    {
        var result = new Dictionary<string, List<DestinationRate>>(StringComparer.Ordinal);
        rates = new Dictionary<string, Rate>(StringComparer.Ordinal);
        foreach (var row in CsvTable.ReadPositional(files, DestinationRatesFile, required: true, 3, problems))
        {
            var id = row.At(0);
            var destination = row.At(1);
            var tag = row.At(2);
            var ok = true;
            if (id.Length == 0)
            {
                problems.Error(row.File, row.Line, "the destination rates id is empty");
                ok = false;
            }

            if (destination != Any && !destinationIds.Contains(destination))
            {
                problems.Error(row.File, row.Line, $"destination '{destination}' is not in {DestinationsFile}");
                ok = false;
            }

            if (!slots.TryGetValue(tag, out var rateSlots))
            {
                problems.Error(row.File, row.Line, $"rates tag '{tag}' is not in {RatesFile} (or has errors there)");
                ok = false;
            }

            RoundingMethod? rounding = row.At(3) switch
            {
                "*up" => RoundingMethod.Up,
                "*middle" or "" => RoundingMethod.Middle,
                "*down" => RoundingMethod.Down,
                _ => null,
            };
            if (rounding is null)
            {
                problems.Error(row.File, row.Line, $"RoundingMethod '{row.At(3)}' must be *up, *middle or *down");
                ok = false;
            }

            var decimals = 0; // CGRateS reads an empty integer column as 0
            if (row.At(4).Length > 0 && (!int.TryParse(row.At(4), NumberStyles.None, CultureInfo.InvariantCulture, out decimals) || decimals > 6))
            {
                problems.Error(row.File, row.Line, $"RoundingDecimals '{row.At(4)}' must be a whole number from 0 to 6");
                ok = false;
            }

            var maxCost = 0m;
            if (row.At(5).Length > 0 && (!CatalogUnits.TryParseDecimal(row.At(5), out maxCost) || maxCost < 0))
            {
                problems.Error(row.File, row.Line, $"MaxCost '{row.At(5)}' is not a non-negative decimal");
                ok = false;
            }

            MaxCostStrategy? strategy = row.At(6) switch
            {
                "*free" or "" => MaxCostStrategy.Free,
                "*disconnect" => MaxCostStrategy.Disconnect,
                _ => null,
            };
            if (strategy is null)
            {
                problems.Error(row.File, row.Line, $"MaxCostStrategy '{row.At(6)}' must be *free or *disconnect");
                ok = false;
            }
            else if (maxCost > 0 && row.At(6).Length == 0)
            {
                // CGRateS acts on MaxCost only with a strategy; without one the cap is inert.
                problems.Warning(row.File, row.Line, $"MaxCost {maxCost} without a MaxCostStrategy has no effect in CGRateS; imported without a cap");
                maxCost = 0;
            }

            if (!ok)
            {
                continue;
            }

            var rateId = $"{id}/{tag}";
            var rate = new Rate
            {
                Id = rateId,
                ConnectFee = rateSlots![0].ConnectFee,
                Steps = [.. rateSlots.Select(s => s.Step)],
                MaxCost = maxCost,
                MaxCostStrategy = strategy!.Value,
                Rounding = rounding!.Value,
                RoundingDecimals = decimals,
            };
            if (rates.TryGetValue(rateId, out var existing) && existing != rate && !SameRate(existing, rate))
            {
                problems.Error(row.File, row.Line, $"'{id}' binds rates tag '{tag}' twice with different rounding or max cost");
                continue;
            }

            rates[rateId] = rate;
            if (!result.TryGetValue(id, out var list))
            {
                result[id] = list = [];
            }

            if (list.Exists(d => d.DestinationId == destination))
            {
                problems.Error(row.File, row.Line, $"'{id}' already prices destination '{destination}'");
                continue;
            }

            list.Add(new DestinationRate(destination, rateId, row.Line));
        }

        return result;
    }

    private static bool SameRate(Rate a, Rate b) =>
        a.ConnectFee == b.ConnectFee && a.Steps.SequenceEqual(b.Steps) && a.MaxCost == b.MaxCost && a.MaxCostStrategy == b.MaxCostStrategy
        && a.Rounding == b.Rounding && a.RoundingDecimals == b.RoundingDecimals && a.MinimumCharge == b.MinimumCharge;

    private sealed record PlanRow(string DestinationRatesId, string TimingTag, decimal Weight, long Line);

    private static Dictionary<string, List<PlanRow>> ReadRatingPlans(
        IReadOnlyDictionary<string, string> files, CatalogProblems problems, Dictionary<string, List<DestinationRate>> destinationRates, Dictionary<string, Timing> timings)
    {
        var plans = new Dictionary<string, List<PlanRow>>(StringComparer.Ordinal);
        foreach (var row in CsvTable.ReadPositional(files, RatingPlansFile, required: true, 4, problems))
        {
            var id = row.At(0);
            var ok = true;
            if (id.Length == 0)
            {
                problems.Error(row.File, row.Line, "the rating plan id is empty");
                ok = false;
            }

            if (!destinationRates.ContainsKey(row.At(1)))
            {
                problems.Error(row.File, row.Line, $"destination rates '{row.At(1)}' is not in {DestinationRatesFile} (or has errors there)");
                ok = false;
            }

            if (row.At(2) != Any && !timings.ContainsKey(row.At(2)))
            {
                problems.Error(row.File, row.Line, $"timing '{row.At(2)}' is not in {TimingsFile} (or has errors there)");
                ok = false;
            }

            var weight = Decimal(row, 3, "Weight", problems, ref ok);
            if (!ok)
            {
                continue;
            }

            if (!plans.TryGetValue(id, out var list))
            {
                plans[id] = list = [];
            }

            list.Add(new PlanRow(row.At(1), row.At(2), weight, row.Line));
        }

        return plans;
    }

    private static List<RatingProfile> ReadRatingProfiles(IReadOnlyDictionary<string, string> files, CatalogProblems problems, HashSet<string> planIds, CgratesImportOptions options)
    {
        var profiles = new List<RatingProfile>();
        foreach (var row in CsvTable.ReadPositional(files, RatingProfilesFile, required: false, 5, problems))
        {
            var ok = true;
            var tenant = row.At(0).Length == 0 ? options.DefaultTenant : row.At(0);
            var category = row.At(1).Length == 0 ? options.DefaultCategory : row.At(1);
            var subject = row.At(2);
            if (subject.Length == 0)
            {
                problems.Error(row.File, row.Line, "the subject is empty (use *any for everyone)");
                ok = false;
            }

            var activation = OffsetDateTimePattern.ExtendedIso.Parse(row.At(3));
            if (!activation.Success)
            {
                problems.Error(row.File, row.Line, $"ActivationTime '{row.At(3)}' is not an RFC 3339 time (e.g. 2014-01-14T00:00:00Z)");
                ok = false;
            }

            if (!planIds.Contains(row.At(4)))
            {
                problems.Error(row.File, row.Line, $"rating plan '{row.At(4)}' is not in {RatingPlansFile} (or has errors there)");
                ok = false;
            }

            if (ok)
            {
                var fallbacks = row.At(5).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                profiles.Add(new RatingProfile(tenant, category, subject, activation.Value.ToInstant(), row.At(4), fallbacks));
            }
        }

        return profiles;
    }

    private static (Dictionary<string, Timing> Timings, Dictionary<string, Plan> Plans) BuildPlans(
        Dictionary<string, List<PlanRow>> planRows, Dictionary<string, List<DestinationRate>> destinationRates,
        Dictionary<string, Timing> timings, CgratesImportOptions options, CatalogProblems problems)
    {
        Timing Source(string tag) => tag == Any ? Timing.Always : timings[tag];

        // Every use of a timing: (plan, destination, weight) → the End it gets there.
        var uses = new List<(string Plan, PlanRow Row, DestinationRate Rate, LocalTime? End)>();
        foreach (var (planId, rows) in planRows)
        {
            var bound = rows.SelectMany(r => destinationRates[r.DestinationRatesId].Select(d => (Row: r, Rate: d))).ToList();
            foreach (var (row, rate) in bound)
            {
                var timing = Source(row.TimingTag);
                var end = timing.End;
                if (end is null)
                {
                    foreach (var (other, _) in bound.Where(b => b.Rate.DestinationId == rate.DestinationId && b.Row.TimingTag != row.TimingTag && b.Row.Weight >= row.Weight))
                    {
                        var next = Source(other.TimingTag);
                        if (next.Start <= timing.Start || !Overlap(timing, next))
                        {
                            continue;
                        }

                        if (Covers(next, timing))
                        {
                            end = end is null || next.Start < end ? next.Start : end;
                        }
                        else
                        {
                            problems.Warning(RatingPlansFile, row.Line, $"in '{planId}', timing '{other.TimingTag}' (line {other.Line}) starts at {next.Start:HH:mm:ss} on only some of the days of '{row.TimingTag}'; one end cannot express that, so they overlap and the higher weight (then the cheaper rate) wins");
                        }
                    }
                }

                uses.Add((planId, row, rate, end));
            }
        }

        var catalogTimings = new Dictionary<string, Timing>(StringComparer.Ordinal) { [Any] = Timing.Always };
        var effectiveId = new Dictionary<(string Tag, LocalTime? End), string>();
        foreach (var group in uses.GroupBy(u => u.Row.TimingTag, StringComparer.Ordinal))
        {
            var ends = group.Select(u => u.End).Distinct().ToList();
            foreach (var end in ends)
            {
                var source = Source(group.Key);
                var id = ends.Count == 1 || end == source.End ? group.Key : $"{group.Key}@{end!.Value:HH:mm:ss}";
                effectiveId[(group.Key, end)] = id;
                catalogTimings[id] = source with { Id = id, End = end };
            }
        }

        foreach (var (tag, timing) in timings)
        {
            catalogTimings.TryAdd(tag, timing); // unused timings stay visible as written
        }

        var plans = new Dictionary<string, Plan>(StringComparer.Ordinal);
        foreach (var planId in planRows.Keys)
        {
            var entries = uses.Where(u => u.Plan == planId)
                .Select(u => new PriceEntry(u.Rate.DestinationId, effectiveId[(u.Row.TimingTag, u.End)], u.Row.Weight, u.Rate.RateId))
                .ToList();
            plans[planId] = new Plan
            {
                Id = planId,
                Name = planId,
                Currency = options.Currency,
                TimeZone = options.TimeZone,
                Voice = entries,
                Sms = entries,
                Data = entries,
            };
        }

        return (catalogTimings, plans);
    }

    /// <summary>Whether two timings can hold on the same day.</summary>
    private static bool Overlap(Timing a, Timing b) =>
        Meets(a.Years, b.Years) && Meets(a.Months, b.Months) && Meets(a.MonthDays, b.MonthDays) && Meets(a.WeekDays, b.WeekDays);

    /// <summary>Whether <paramref name="outer"/> holds on every day <paramref name="inner"/> does.</summary>
    private static bool Covers(Timing outer, Timing inner) =>
        Within(inner.Years, outer.Years) && Within(inner.Months, outer.Months) && Within(inner.MonthDays, outer.MonthDays) && Within(inner.WeekDays, outer.WeekDays);

    private static bool Meets<T>(IReadOnlySet<T>? a, IReadOnlySet<T>? b) => a is null || b is null || a.Overlaps(b);

    private static bool Within<T>(IReadOnlySet<T>? inner, IReadOnlySet<T>? outer) => outer is null || (inner is not null && inner.IsSubsetOf(outer));

    private static HashSet<int>? Numbers(CsvRow row, int index, string column, int min, int max, CatalogProblems problems, ref bool ok)
    {
        var text = row.At(index);
        if (text.Length == 0 || text == Any)
        {
            return null;
        }

        var values = new HashSet<int>();
        foreach (var part in text.Split(';', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            {
                problems.Error(row.File, row.Line, $"{column} '{text}': '{part}' is not a number within {min}..{max}");
                ok = false;
                return null;
            }

            values.Add(v);
        }

        return values;
    }

    private static decimal Decimal(CsvRow row, int index, string column, CatalogProblems problems, ref bool ok)
    {
        if (CatalogUnits.TryParseDecimal(row.At(index), out var value))
        {
            return value;
        }

        problems.Error(row.File, row.Line, $"{column} '{row.At(index)}' is not a decimal number");
        ok = false;
        return 0;
    }

    private static long Duration(CsvRow row, int index, string column, bool positive, CatalogProblems problems, ref bool ok)
    {
        if (GoDuration.TryParseWholeUnits(row.At(index), out var value) && (!positive || value > 0))
        {
            return value;
        }

        problems.Error(row.File, row.Line, $"{column} '{row.At(index)}' is not a {(positive ? "positive " : "")}duration in whole seconds (e.g. 60s, 1m, 1h30m)");
        ok = false;
        return 0;
    }
}
