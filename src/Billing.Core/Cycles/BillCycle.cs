using NodaTime;

namespace Billing.Core.Cycles;

/// <summary>
/// A bill cycle: the half-open local-date interval [Start, End) in the account's time zone, where
/// Start falls on the account's cycle day (1–28) and End one month later.
/// </summary>
public readonly record struct BillCycle(LocalDate Start, LocalDate End)
{
    /// <summary>The cycle of an account with cycle day <paramref name="cycleDay"/> that contains <paramref name="at"/>.</summary>
    public static BillCycle Containing(Instant at, DateTimeZone zone, int cycleDay)
    {
        ArgumentNullException.ThrowIfNull(zone);
        CheckCycleDay(cycleDay);
        var local = at.InZone(zone).Date;
        var start = local.Day >= cycleDay
            ? new LocalDate(local.Year, local.Month, cycleDay)
            : new LocalDate(local.Year, local.Month, cycleDay).PlusMonths(-1);
        return new BillCycle(start, start.PlusMonths(1));
    }

    /// <summary>
    /// The cycle that ends (exclusive) on <paramref name="end"/>: [end − 1 month, end). The cycle day is
    /// 1–28, so the month before always has that day.
    /// </summary>
    public static BillCycle EndingOn(LocalDate end)
    {
        CheckCycleDay(end.Day);
        return new BillCycle(end.PlusMonths(-1), end);
    }

    /// <summary>
    /// The cycle a bill run on <paramref name="runDate"/> closes for an account with cycle day
    /// <paramref name="cycleDay"/>: the one ending on the run date when the day matches, else none.
    /// </summary>
    public static BillCycle? ClosedOn(LocalDate runDate, int cycleDay)
    {
        CheckCycleDay(cycleDay);
        return runDate.Day == cycleDay ? EndingOn(runDate) : null;
    }

    /// <summary>The cycle after this one: [End, End + 1 month).</summary>
    public BillCycle Next => new(End, End.PlusMonths(1));

    /// <summary>Local days in the cycle (28–31).</summary>
    public int Days => Period.DaysBetween(Start, End);

    /// <summary>The cycle's bounds as instants: [start of Start, start of End) in the zone.</summary>
    public Interval ToInterval(DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return new Interval(zone.AtStartOfDay(Start).ToInstant(), zone.AtStartOfDay(End).ToInstant());
    }

    public bool Contains(LocalDate date) => date >= Start && date < End;

    private static void CheckCycleDay(int cycleDay)
    {
        if (cycleDay is < 1 or > 28)
        {
            throw new ArgumentOutOfRangeException(nameof(cycleDay), cycleDay, "a cycle day is 1–28");
        }
    }

    public override string ToString() => $"[{Start:uuuu-MM-dd}, {End:uuuu-MM-dd})";
}
