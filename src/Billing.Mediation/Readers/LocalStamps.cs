using System.Buffers.Text;
using NodaTime;

namespace Billing.Mediation.Readers;

/// <summary>
/// The PBX timestamp layout <c>YYYY-MM-DD HH:MM:SS</c> (Asterisk cdr_csv, FreeSWITCH mod_cdr_csv),
/// local to the source's zone, and the integer fields beside it, read straight from CsvHelper's
/// UTF-8 field bytes. Hand-rolled because every row has three stamps: pattern parsing
/// (<c>LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm:ss")</c>, which this
/// matches) allocates a string per field and is several times slower.
/// </summary>
internal static class LocalStamps
{
    public const int Length = 19;

    /// <summary>
    /// Local times from here on can lie beyond <see cref="Instant.MaxValue"/> (9999-12-31 UTC) once their
    /// offset (at most 18 hours) is applied: they are read as that last instant, a start far in the
    /// future that the normaliser suspends, instead of overflowing.
    /// </summary>
    private static readonly LocalDateTime LastConvertible = new(9999, 12, 30, 0, 0);

    /// <summary>
    /// Likewise at the other end: times before this (an ISO stamp can say -9998) can lie before
    /// <see cref="Instant.MinValue"/> once a positive offset is taken off; they are read as that first
    /// instant, which the normaliser suspends as a clock error.
    /// </summary>
    private static readonly LocalDateTime FirstConvertible = new(-9998, 1, 2, 0, 0);

    /// <summary>Parses exactly <c>YYYY-MM-DD HH:MM:SS</c>; any other text, or an impossible date, fails.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out LocalDateTime value) => TryParse(text, (byte)' ', out value);

    /// <summary>
    /// Parses exactly <c>YYYY-MM-DDTHH:MM:SSZ</c>, the form nearly every canonical <c>start_time</c> takes, to the
    /// instant that <c>OffsetDateTimePattern.ExtendedIso</c> and <see cref="ToInstant(OffsetDateTime)"/> give it.
    /// Anything else fails, for the caller to read with the pattern: this only saves the pattern's cost (a fifth
    /// of a canonical row's parse).
    /// </summary>
    public static bool TryParseUtc(ReadOnlySpan<byte> text, out Instant value)
    {
        value = default;
        if (text.Length != Length + 1 || text[Length] != 'Z' || !TryParse(text[..Length], (byte)'T', out var local))
        {
            return false;
        }

        value = ToInstant(local.WithOffset(Offset.Zero));
        return true;
    }

    private static bool TryParse(ReadOnlySpan<byte> text, byte separator, out LocalDateTime value)
    {
        value = default;
        if (text.Length != Length || text[4] != '-' || text[7] != '-' || text[10] != separator || text[13] != ':' || text[16] != ':')
        {
            return false;
        }

        if (!Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day)
            || !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || !Digits(text, 17, 2, out var second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > CalendarSystem.Iso.GetDaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new LocalDateTime(year, month, day, hour, minute, second);
        return true;
    }

    /// <summary>
    /// The instant of a local stamp. DST choice (NodaTime's lenient resolver, as
    /// <c>InZoneLeniently</c>): a time that occurs twice (the autumn hour) is taken at its
    /// earlier occurrence; a time that never occurs (the spring gap) is moved forward by the
    /// length of the gap, i.e. read with the offset before the change. A PBX whose clock says
    /// 01:30 on the spring-forward day logged a call that really happened at 02:30 local.
    /// </summary>
    public static Instant ToInstant(LocalDateTime local, DateTimeZone zone) =>
        local < LastConvertible ? local.InZoneLeniently(zone).ToInstant() : Instant.MaxValue;

    /// <summary>The instant of a time with its offset (canonical <c>start_time</c>), as safe at either end of time as <see cref="ToInstant(LocalDateTime, DateTimeZone)"/>.</summary>
    public static Instant ToInstant(OffsetDateTime time) =>
        time.LocalDateTime >= LastConvertible ? Instant.MaxValue
        : time.LocalDateTime < FirstConvertible ? Instant.MinValue
        : time.ToInstant();

    /// <summary>
    /// The instant of an end stamp: as <see cref="ToInstant(LocalDateTime, DateTimeZone)"/>, except that an end time in the
    /// repeated autumn hour is taken at its later occurrence when the earlier one would precede
    /// the call's start. A call from 01:50 BST to 01:10 GMT is 20 minutes long, not an error.
    /// </summary>
    public static Instant EndInstant(LocalDateTime local, DateTimeZone zone, Instant start)
    {
        if (local >= LastConvertible)
        {
            return Instant.MaxValue;
        }

        var mapping = zone.MapLocal(local);
        if (mapping.Count == 2)
        {
            var earlier = mapping.First().ToInstant();
            return earlier < start ? mapping.Last().ToInstant() : earlier;
        }

        return ToInstant(local, zone);
    }

    /// <summary>A bare (or space-padded) integer; signs allowed so the normaliser can report negatives.</summary>
    public static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        text = text.Trim((byte)' ');
        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && text.Length > 0;
    }

    private static bool Digits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = text[i] - '0';
            if ((uint)d > 9)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        return true;
    }
}
