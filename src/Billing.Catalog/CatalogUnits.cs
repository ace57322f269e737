using System.Globalization;
using Billing.Core.Usage;
using NodaTime;
using NodaTime.Text;

namespace Billing.Catalog;

/// <summary>What a quantity's suffix says it measures.</summary>
public enum QuantityKind
{
    /// <summary>A bare number: the base unit of whatever service uses it.</summary>
    Plain,

    /// <summary>Seconds (`s`, `m`/`min`, `h`).</summary>
    Time,

    /// <summary>Bytes (`B`, `KB`, `MB`, `GB`, `TB`, 1024-based).</summary>
    Bytes,

    /// <summary>Events (`sms`, `event`).</summary>
    Events,
}

/// <summary>
/// Quantities, prices and times as operators write them in the native catalogue. Voice in
/// seconds (`90`, `90s`, `1m`, `5min`, `1h`, and compounds `1m30s`, `1h2m3s`), data in bytes with binary multiples
/// (`1KB` = 1024, `1MB` = 1024², `1GB` = 1024³; `KiB`/`MiB`/`GiB` mean the same), SMS in events
/// (`100`, `100sms`). Prices are exact decimals in the invariant culture (`.` separator, no
/// thousands separators, no exponent).
/// </summary>
public static class CatalogUnits
{
    private const long KiB = 1024;

    private static readonly (string Suffix, long Factor, QuantityKind Kind)[] Suffixes =
    [
        ("sms", 1, QuantityKind.Events), ("event", 1, QuantityKind.Events), ("events", 1, QuantityKind.Events),
        ("min", 60, QuantityKind.Time), ("h", 3600, QuantityKind.Time), ("m", 60, QuantityKind.Time), ("s", 1, QuantityKind.Time),
        ("kib", KiB, QuantityKind.Bytes), ("mib", KiB * KiB, QuantityKind.Bytes), ("gib", KiB * KiB * KiB, QuantityKind.Bytes), ("tib", KiB * KiB * KiB * KiB, QuantityKind.Bytes),
        ("kb", KiB, QuantityKind.Bytes), ("mb", KiB * KiB, QuantityKind.Bytes), ("gb", KiB * KiB * KiB, QuantityKind.Bytes), ("tb", KiB * KiB * KiB * KiB, QuantityKind.Bytes),
        ("b", 1, QuantityKind.Bytes),
    ];

    private static readonly LocalTimePattern HourMinute = LocalTimePattern.CreateWithInvariantCulture("HH:mm");

    private static readonly LocalTimePattern HourMinuteSecond = LocalTimePattern.CreateWithInvariantCulture("HH:mm:ss");

    /// <summary>
    /// A non-negative whole quantity with an optional unit suffix (case-insensitive), or a compound duration whose
    /// parts go from hours down to seconds, each at most once (`1h2m3s`, `1m35s`, `2h30m`).
    /// </summary>
    public static bool TryParseQuantity(string? text, out long value, out QuantityKind kind)
    {
        value = 0;
        kind = QuantityKind.Plain;
        var rest = (text ?? "").Trim();
        var parts = 0;
        var smallestFactor = long.MaxValue;
        long total = 0;
        while (rest.Length > 0)
        {
            if (!TryReadPart(ref rest, out var number, out var factor, out var partKind))
            {
                return false;
            }

            parts++;
            // A later part must be a smaller time unit: `1m35s`, never `35s1m`, `1m1m` or `1KB1B`.
            if (parts > 1 && (partKind != QuantityKind.Time || kind != QuantityKind.Time || factor >= smallestFactor))
            {
                return false;
            }

            try
            {
                total = checked(total + checked(number * factor));
            }
            catch (OverflowException)
            {
                return false;
            }

            kind = partKind;
            smallestFactor = factor;
        }

        value = total;
        return parts > 0;
    }

    /// <summary>One number and its suffix from the start of <paramref name="rest"/>; a bare number must be the whole of what is left.</summary>
    private static bool TryReadPart(ref string rest, out long number, out long factor, out QuantityKind kind)
    {
        factor = 1;
        kind = QuantityKind.Plain;
        var digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
        {
            digits++;
        }

        if (digits == 0 || !long.TryParse(rest.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            number = 0;
            return false;
        }

        var after = rest[digits..].TrimStart();
        var letters = 0;
        while (letters < after.Length && char.IsAsciiLetter(after[letters]))
        {
            letters++;
        }

        var suffix = after[..letters];
        rest = after[letters..].TrimStart();
        if (suffix.Length == 0)
        {
            return rest.Length == 0;
        }

        foreach (var (s, f, k) in Suffixes)
        {
            if (suffix.Equals(s, StringComparison.OrdinalIgnoreCase))
            {
                factor = f;
                kind = k;
                return true;
            }
        }

        return false;
    }

    /// <summary>A quantity in <paramref name="service"/>'s unit: seconds, events or bytes. A suffix of another kind (e.g. `5GB` for voice) is refused.</summary>
    public static bool TryParseQuantity(ServiceType service, string? text, out long value)
    {
        if (!TryParseQuantity(text, out value, out var kind))
        {
            return false;
        }

        return kind == QuantityKind.Plain || kind == KindOf(service);
    }

    public static QuantityKind KindOf(ServiceType service) => service switch
    {
        ServiceType.Voice => QuantityKind.Time,
        ServiceType.Sms => QuantityKind.Events,
        ServiceType.Data => QuantityKind.Bytes,
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
    };

    /// <summary>An exact decimal in the invariant culture: `0.05`, `-1.2`, `12`. No exponent, no thousands separator.</summary>
    public static bool TryParseDecimal(string? text, out decimal value) =>
        decimal.TryParse((text ?? "").Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);

    /// <summary>`08:00` or `08:00:30`; `24:00` is refused here (callers treat it as midnight at the day's end).</summary>
    public static bool TryParseTime(string? text, out LocalTime value)
    {
        var t = (text ?? "").Trim();
        var result = (t.Length <= 5 ? HourMinute : HourMinuteSecond).Parse(t);
        value = result.Success ? result.Value : default;
        return result.Success;
    }
}
