using Billing.Core.Catalog;
using NodaTime;
using NodaTime.Text;
using static Billing.Catalog.Cgrates.CgratesImporter;
using static Billing.Catalog.Cgrates.CgratesFields;

namespace Billing.Catalog.Cgrates;

/// <summary>Timings.csv: Tag, Years, Months, MonthDays, WeekDays, Time (a start, or start;end).</summary>
internal static class TimingsReader
{
    private static readonly LocalTimePattern TimePattern = LocalTimePattern.CreateWithInvariantCulture("HH:mm:ss");

    public static Dictionary<string, Timing> Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
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
}
