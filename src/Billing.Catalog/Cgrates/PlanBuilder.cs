using Billing.Core.Catalog;
using NodaTime;
using static Billing.Catalog.Cgrates.CgratesImporter;
using static Billing.Catalog.Cgrates.CgratesFields;

namespace Billing.Catalog.Cgrates;

/// <summary>
/// Turns the rating plans into plans: a price entry per (rating plan row, destination rate), each
/// timing given the end CGRateS gives it in that place.
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
internal static class PlanBuilder
{
    public static (Dictionary<string, Timing> Timings, Dictionary<string, Plan> Plans) Build(
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
}
