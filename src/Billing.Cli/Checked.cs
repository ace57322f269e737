using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using NodaTime;
using NodaTime.Text;

namespace Billing.Cli;

/// <summary>
/// Options and arguments whose values are checked while the command line is parsed: a value out of
/// its range is a parse error — one line, exit 2 — before anything starts (no database, no files).
/// </summary>
public static class Checked
{
    /// <summary>The earliest time a command takes (--at, --effective, --from, --to, a bill run's date).</summary>
    public static readonly Instant EarliestTime = Instant.FromUtc(1970, 1, 1, 0, 0);

    /// <summary>The end (exclusive) of the times a command takes: bill cycles, expiry and bundles are computed beyond them.</summary>
    public static readonly Instant EndOfTime = Instant.FromUtc(3000, 1, 1, 0, 0);

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Refuses a value below <paramref name="min"/>.</summary>
    public static Option<T> AtLeast<T>(this Option<T> option, T min)
        where T : struct, INumber<T>, IMinMaxValue<T> => option.Within(min, T.MaxValue);

    /// <summary>Refuses a value given below <paramref name="min"/>; leaving the option out is fine.</summary>
    public static Option<T?> AtLeast<T>(this Option<T?> option, T min)
        where T : struct, INumber<T>, IMinMaxValue<T> => option.Within(min, T.MaxValue);

    /// <summary>Refuses a value outside <paramref name="min"/>..<paramref name="max"/> (both included).</summary>
    public static Option<T> Within<T>(this Option<T> option, T min, T max)
        where T : struct, INumber<T>, IMinMaxValue<T>
    {
        ArgumentNullException.ThrowIfNull(option);
        option.CustomParser = r => Number(r, option.Name, min, max);
        return option;
    }

    /// <summary>Refuses a value given outside <paramref name="min"/>..<paramref name="max"/>; leaving the option out is fine.</summary>
    public static Option<T?> Within<T>(this Option<T?> option, T min, T max)
        where T : struct, INumber<T>, IMinMaxValue<T>
    {
        ArgumentNullException.ThrowIfNull(option);
        option.CustomParser = r => Number(r, option.Name, min, max);
        return option;
    }

    public static Argument<T> AtLeast<T>(this Argument<T> argument, T min)
        where T : struct, INumber<T>, IMinMaxValue<T>
    {
        ArgumentNullException.ThrowIfNull(argument);
        argument.CustomParser = r => Number(r, argument.Name.ToUpperInvariant(), min, T.MaxValue);
        return argument;
    }

    /// <summary>Refuses an empty or blank value: what it says is kept (an audit log, a ledger row).</summary>
    public static Option<string> NotBlank(this Option<string> option, string why)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValueOrDefault<string>()))
            {
                r.AddError($"{option.Name} must not be blank: {why}.");
            }
        });
        return option;
    }

    /// <summary>A time option: a date (UTC midnight) or an ISO-8601 time with offset, from 1970 to the end of 2999.</summary>
    public static Option<Instant?> Time(string name, string description, bool required = false) =>
        new(name) { Description = description, Required = required, CustomParser = r => Time(r, name) };

    /// <summary>A date option (yyyy-MM-dd), from 1970 to the end of 2999.</summary>
    public static Option<LocalDate?> Date(string name, string description, bool required = false) =>
        new(name)
        {
            Description = description,
            Required = required,
            CustomParser = r =>
            {
                var text = Single(r);
                var parsed = LocalDatePattern.Iso.Parse(text);
                if (parsed.Success && OutOfRange(parsed.Value.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant()) is null)
                {
                    return parsed.Value;
                }

                r.AddError($"{name} '{text}' is not a date from 1970-01-01 to 2999-12-31 (yyyy-MM-dd).");
                return null;
            },
        };

    /// <summary>An amount argument: a plain decimal (12.50, -1.20); its range (sign, ceiling, the currency's minor unit) is the command's to check.</summary>
    public static Argument<decimal> Amount(string name, string description) =>
        new(name)
        {
            Description = description,
            CustomParser = r =>
            {
                var text = Single(r);
                if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, Inv, out var amount))
                {
                    return amount;
                }

                r.AddError($"{name.ToUpperInvariant()} '{text}' is not an amount: digits with a decimal point, e.g. 10.00.");
                return 0m;
            },
        };

    /// <summary>A time a person typed: a date (UTC midnight) or an ISO-8601 time with offset; null (with the reason) if it is neither or out of range.</summary>
    public static Instant? ParseTime(string text, out string? problem)
    {
        problem = null;
        var date = LocalDatePattern.Iso.Parse(text);
        var offset = date.Success ? null : OffsetDateTimePattern.ExtendedIso.Parse(text);
        if (offset is { Success: false })
        {
            problem = "is neither a date (2026-12-01) nor an ISO-8601 time with offset (2026-12-01T08:00:00Z)";
            return null;
        }

        var instant = offset is null ? date.Value.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant() : offset.Value.ToInstant();
        problem = OutOfRange(instant);
        return problem is null ? instant : null;
    }

    /// <summary>Why <paramref name="instant"/> is not a time a command takes, or null.</summary>
    public static string? OutOfRange(Instant instant) =>
        instant < EarliestTime || instant >= EndOfTime ? "is out of range: give a time from 1970-01-01 to the end of 2999" : null;

    private static Instant? Time(ArgumentResult r, string name)
    {
        var text = Single(r);
        if (ParseTime(text, out var problem) is { } instant)
        {
            return instant;
        }

        r.AddError($"{name} '{text}' {problem}.");
        return null;
    }

    private static string Single(ArgumentResult r) => r.Tokens.Count == 0 ? "" : r.Tokens[0].Value;

    /// <summary>A number in the invariant culture (digits, a sign, a decimal point) within the range.</summary>
    private static T Number<T>(ArgumentResult r, string name, T min, T max)
        where T : struct, INumber<T>, IMinMaxValue<T>
    {
        var text = Single(r);
        if (!T.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, Inv, out var value) || value < min || value > max)
        {
            r.AddError($"{name} '{text}' must be {Range(min, max)}.");
        }

        return value;
    }

    private static string Range<T>(T min, T max)
        where T : struct, INumber<T>, IMinMaxValue<T> =>
        max == T.MaxValue ? $"at least {Format(min)}" : $"{Format(min)} to {Format(max)}";

    private static string Format<T>(T value)
        where T : struct, INumber<T> => T.IsInteger(value) ? value.ToString("N0", Inv) : value.ToString(null, Inv);
}
