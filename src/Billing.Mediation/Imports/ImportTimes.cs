using NodaTime;

namespace Billing.Mediation.Imports;

/// <summary>
/// Times as the imports read them: a time with an offset, or a day's start in a zone, as an instant — or null when the
/// offset takes it past the first or last instant a time can hold (the year −9998 ahead of a positive offset, 9999
/// behind a negative one), which the row then reports instead of the import failing on an overflow.
/// </summary>
internal static class ImportTimes
{
    public static Instant? ToInstant(OffsetDateTime time) => Guarded(() => time.ToInstant());

    public static Instant? StartOfDay(LocalDate date, DateTimeZone zone) => Guarded(() => zone.AtStartOfDay(date).ToInstant());

    /// <summary>The row's problem when <see cref="ToInstant"/> or <see cref="StartOfDay"/> gave null.</summary>
    public static string OutOfRange(string column, string text) => $"{column} '{text}' is outside the years a time can be held in";

    private static Instant? Guarded(Func<Instant> convert)
    {
        try
        {
            return convert();
        }
        catch (Exception e) when (e is OverflowException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
