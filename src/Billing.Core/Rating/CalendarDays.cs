using NodaTime;

namespace Billing.Core.Rating;

/// <summary>What a timing's date filters look at for one local date: year, month, day of month, ISO weekday, holiday.</summary>
internal readonly record struct DayFacts(int Year, byte Month, byte Day, byte WeekDay, bool IsHoliday)
{
    public static DayFacts Of(LocalDate date, IReadOnlySet<LocalDate> holidays) =>
        new(date.Year, (byte)date.Month, (byte)date.Day, (byte)date.DayOfWeek, holidays.Contains(date));
}

/// <summary>
/// The <see cref="DayFacts"/> of local dates by day number (days since 1970-01-01), worked out once
/// per block of 1,024 days when first asked for and then read from an array: the rating hot path
/// turns an instant into its local day and time of day with integer arithmetic only. Thread-safe:
/// a block is immutable once published, and two threads building the same block build equal ones.
/// </summary>
internal sealed class CalendarDays(IReadOnlySet<LocalDate> holidays)
{
    private const int BlockBits = 10;
    private const int BlockSize = 1 << BlockBits;
    private const int BlockCount = 2048;                       // day numbers in [-2^20, 2^20): about 901 BC to AD 4840
    private const int FirstDay = -(BlockCount / 2) * BlockSize;

    private readonly DayFacts[]?[] _blocks = new DayFacts[BlockCount][];

    /// <summary>The local date and time of day of <paramref name="at"/> at UTC offset <paramref name="offset"/>.</summary>
    public DayFacts Local(Instant at, Offset offset, out long nanosecondOfDay)
    {
        // Duration.Days rounds towards zero and NanosecondOfDay takes the sign of the duration (before 1970:
        // negative), so with the offset the nanoseconds lie anywhere in (-2 days, 2 days): floor them into a day.
        var sinceEpoch = at - NodaConstants.UnixEpoch;
        var nanos = sinceEpoch.NanosecondOfDay + offset.Nanoseconds;
        var carry = nanos >= 0 ? nanos / NodaConstants.NanosecondsPerDay : ((nanos + 1) / NodaConstants.NanosecondsPerDay) - 1;
        long day = sinceEpoch.Days + carry;
        nanosecondOfDay = nanos - (carry * NodaConstants.NanosecondsPerDay);
        var index = day - FirstDay;
        if (unchecked((ulong)index) >= BlockCount * BlockSize)
        {
            return DayFacts.Of(at.WithOffset(offset).Date, holidays);
        }

        var block = _blocks[index >> BlockBits] ?? Build((int)(index >> BlockBits));
        return block[index & (BlockSize - 1)];
    }

    private DayFacts[] Build(int b)
    {
        var first = new LocalDate(1970, 1, 1).PlusDays(FirstDay + (b * BlockSize));
        var block = new DayFacts[BlockSize];
        for (var i = 0; i < BlockSize; i++)
        {
            block[i] = DayFacts.Of(first.PlusDays(i), holidays);
        }

        Volatile.Write(ref _blocks[b], block);
        return block;
    }
}
