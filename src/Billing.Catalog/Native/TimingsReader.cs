using System.Globalization;
using Billing.Core.Catalog;
using NodaTime;
using static Billing.Catalog.Native.NativeCatalogReader;
using static Billing.Catalog.Native.NativeFields;

namespace Billing.Catalog.Native;

/// <summary>timings.csv: time bands (weekdays, months, days of the month, years, holidays, a daily window).</summary>
internal static class TimingsReader
{
    public static Dictionary<string, Timing> Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
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
}
