using System.Reflection;

namespace Billing.Jobs.Scheduling;

/// <summary>
/// A cron expression read exactly as Hangfire reads it. Hangfire parses crons with its own embedded
/// copy of Cronos, which it keeps internal; asking that parser (rather than a second one of ours)
/// means a cron accepted here is one Hangfire schedules, and the next run shown is the one it will
/// pick. Pinned by the tests of <c>CronScheduleTests</c>: an upgrade of Hangfire that moves the parser fails them.
/// </summary>
public static class CronSchedule
{
    private static readonly MethodInfo Parse = typeof(Hangfire.RecurringJob).Assembly.GetType("Hangfire.RecurringJobEntity")
        ?.GetMethod("ParseCronExpression", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public, [typeof(string)])
        ?? throw new MissingMethodException("Hangfire.RecurringJobEntity.ParseCronExpression(string): this Hangfire version parses crons elsewhere");

    /// <summary>What is wrong with <paramref name="cron"/> as a Hangfire schedule, or null.</summary>
    public static string? Problem(string? cron)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            return "no cron expression";
        }

        try
        {
            Expression(cron);
            return null;
        }
        catch (TargetInvocationException e) when (e.InnerException is ArgumentException or FormatException)
        {
            return e.InnerException.InnerException?.Message ?? e.InnerException.Message;
        }
    }

    /// <summary>The first run strictly after <paramref name="afterUtc"/> in <paramref name="zone"/>, as a UTC time; null if the cron never fires again.</summary>
    public static DateTime? Next(string cron, TimeZoneInfo zone, DateTime afterUtc)
    {
        var expression = Expression(cron);
        var next = expression.GetType().GetMethod("GetNextOccurrence", [typeof(DateTime), typeof(TimeZoneInfo), typeof(bool)])!
            .Invoke(expression, [DateTime.SpecifyKind(afterUtc, DateTimeKind.Utc), zone, false]);
        return (DateTime?)next;
    }

    /// <summary>The time zone of an IANA (or Windows) id as Hangfire resolves it, or null if the system knows none by that id.</summary>
    public static TimeZoneInfo? Zone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    private static object Expression(string cron) => Parse.Invoke(null, [cron])!;
}
