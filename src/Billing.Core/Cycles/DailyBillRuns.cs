using NodaTime;

namespace Billing.Core.Cycles;

/// <summary>
/// The dates the daily bill run plans. Its own date is the target (the day whose cycles ended, usually yesterday) when a
/// cycle can end on it (days 1–28). A date the schedule missed — the server down when its run was due, for a day or more —
/// would otherwise never be billed: its accounts' next invoice would come a month late, without the missed cycle's fees.
/// So the dates of the last <see cref="CatchUpDays"/> days before the target that have no run yet are planned too, oldest
/// first, but only after the first bill run the database has: an installation's first daily run does not bill dates from
/// before it was in use (a migration's cycles billed by the system before it).
/// </summary>
public static class DailyBillRuns
{
    /// <summary>How far back a missed date is caught up: a month of dates. Older ones are left to `billing bill-run DATE`.</summary>
    public const int CatchUpDays = 31;

    /// <param name="target">The daily run's own date (today, UTC, less the configured days after cycle end).</param>
    /// <param name="firstRun">The earliest date any bill run was made for; null before the first.</param>
    /// <param name="made">The dates that have a bill run (at least those of the catch-up window).</param>
    public static IReadOnlyList<LocalDate> Dates(LocalDate target, LocalDate? firstRun, IReadOnlySet<LocalDate> made)
    {
        ArgumentNullException.ThrowIfNull(made);
        var dates = new List<LocalDate>();
        if (firstRun is { } first)
        {
            for (var d = Max(target.PlusDays(-CatchUpDays), first.PlusDays(1)); d < target; d = d.PlusDays(1))
            {
                if (d.Day <= 28 && !made.Contains(d))
                {
                    dates.Add(d);
                }
            }
        }

        if (target.Day <= 28)
        {
            dates.Add(target);
        }

        return dates;
    }

    private static LocalDate Max(LocalDate a, LocalDate b) => a > b ? a : b;
}
