using Billing.Core.Catalog;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Rating;

/// <summary>
/// A <see cref="Timing"/> reduced to what the hot path checks: bit masks for the date filters and
/// the daily window as nanoseconds of the day, [Start, End).
/// </summary>
internal sealed class CompiledTiming
{
    public const long NanosecondsPerDay = NodaConstants.NanosecondsPerDay;

    private const int AllMonths = 0x1FFE;       // bits 1..12
    private const long AllMonthDays = ~0L;      // bits 1..31 (and beyond: harmless)
    private const int AllWeekDays = 0xFE;       // bits 1..7 (IsoDayOfWeek)

    private readonly HashSet<int>? _years;
    private readonly int _months;
    private readonly long _monthDays;
    private readonly int _weekDays;
    private readonly HolidayRule _holidays;

    public CompiledTiming(Timing timing)
    {
        Source = timing;
        _years = timing.Years is null ? null : [.. timing.Years];
        _months = timing.Months is null ? AllMonths : timing.Months.Where(m => m is >= 1 and <= 12).Aggregate(0, (mask, m) => mask | (1 << m));
        _monthDays = timing.MonthDays is null ? AllMonthDays : timing.MonthDays.Where(d => d is >= 1 and <= 31).Aggregate(0L, (mask, d) => mask | (1L << d));
        _weekDays = timing.WeekDays is null ? AllWeekDays : timing.WeekDays.Where(d => d is >= IsoDayOfWeek.Monday and <= IsoDayOfWeek.Sunday).Aggregate(0, (mask, d) => mask | (1 << (int)d));
        _holidays = timing.Holidays;
        StartNanos = timing.Start.NanosecondOfDay;

        // End null, or End <= Start (a window that would wrap past midnight), means "until midnight":
        // the wrapped tail belongs on the next day's timing, which the catalogue states separately.
        var end = timing.End?.NanosecondOfDay ?? NanosecondsPerDay;
        EndNanos = end <= StartNanos ? NanosecondsPerDay : end;
    }

    public Timing Source { get; }

    public string Id => Source.Id;

    public long StartNanos { get; }

    /// <summary>Exclusive; <see cref="NanosecondsPerDay"/> = until midnight.</summary>
    public long EndNanos { get; }

    public bool HoldsOn(in DayFacts day)
    {
        if ((_months & (1 << day.Month)) == 0
            || (_monthDays & (1L << day.Day)) == 0
            || (_weekDays & (1 << day.WeekDay)) == 0)
        {
            return false;
        }

        if (_years is not null && !_years.Contains(day.Year))
        {
            return false;
        }

        return _holidays switch
        {
            HolidayRule.Any => true,
            HolidayRule.Only => day.IsHoliday,
            HolidayRule.Exclude => !day.IsHoliday,
            _ => throw new InvalidOperationException($"Unknown holiday rule {_holidays}."),
        };
    }

    public bool HoldsAt(long nanosecondOfDay) => nanosecondOfDay >= StartNanos && nanosecondOfDay < EndNanos;
}

/// <summary>A <see cref="Rate"/> with its steps sorted by offset in parallel arrays.</summary>
internal sealed class CompiledRate
{
    private readonly long[] _from;
    private readonly decimal[] _price;
    private readonly long[] _unit;
    private readonly long[] _increment;
    private readonly int[] _sourceIndex;
    private readonly decimal?[] _perIncrement;

    public CompiledRate(Rate rate)
    {
        Source = rate;
        if (rate.Steps is null || rate.Steps.Count == 0)
        {
            throw new ArgumentException($"Rate '{rate.Id}' has no steps.", nameof(rate));
        }

        var steps = rate.Steps.Select((s, i) => (Step: s, Index: i)).OrderBy(s => s.Step.From).ToArray();
        if (steps[0].Step.From != 0)
        {
            throw new ArgumentException($"Rate '{rate.Id}': the first step must start at 0, not {steps[0].Step.From}.", nameof(rate));
        }

        for (var i = 0; i < steps.Length; i++)
        {
            var s = steps[i].Step;
            if (s.Unit <= 0 || s.Increment <= 0 || s.Price < 0)
            {
                throw new ArgumentException($"Rate '{rate.Id}' step {steps[i].Index}: unit and increment must be positive and price not negative.", nameof(rate));
            }

            if (i > 0 && s.From == steps[i - 1].Step.From)
            {
                throw new ArgumentException($"Rate '{rate.Id}': two steps start at {s.From}.", nameof(rate));
            }
        }

        if (rate.RoundingDecimals is < 0 or > 28)
        {
            throw new ArgumentException($"Rate '{rate.Id}': rounding decimals must be 0..28.", nameof(rate));
        }

        if (rate.ConnectFee < 0 || rate.MinimumCharge < 0 || rate.MaxCost < 0)
        {
            throw new ArgumentException($"Rate '{rate.Id}': connect fee, minimum charge and max cost must not be negative.", nameof(rate));
        }

        _from = [.. steps.Select(s => s.Step.From)];
        _price = [.. steps.Select(s => s.Step.Price)];
        _unit = [.. steps.Select(s => s.Step.Unit)];
        _increment = [.. steps.Select(s => s.Step.Increment)];
        _sourceIndex = [.. steps.Select(s => s.Index)];

        // Price × Increment / Unit when that division terminates (0.10 × 60 / 60, 0.15 × 6 / 60): then
        // n increments cost n × it exactly, with no division on the hot path.
        _perIncrement = [.. steps.Select(s => ExactQuotient(s.Step.Price * s.Step.Increment, s.Step.Unit))];
    }

    public Rate Source { get; }

    public string Id => Source.Id;

    public decimal ConnectFee => Source.ConnectFee;

    /// <summary>The step in force at offset <paramref name="offset"/>: the largest From ≤ offset (sorted index).</summary>
    public int StepAt(long offset)
    {
        var i = _from.Length - 1;
        while (_from[i] > offset)
        {
            i--;
        }

        return i;
    }

    /// <summary>Where the step after <paramref name="step"/> starts, or <see cref="long.MaxValue"/>.</summary>
    public long NextFrom(int step) => step + 1 < _from.Length ? _from[step + 1] : long.MaxValue;

    public long Increment(int step) => _increment[step];

    public int SourceIndex(int step) => _sourceIndex[step];

    public decimal Price(int step) => _price[step];

    public long Unit(int step) => _unit[step];

    /// <summary>Price × quantity / Unit, exact in decimal as far as the division terminates.</summary>
    public decimal Cost(int step, long quantity) => _price[step] * quantity / _unit[step];

    /// <summary>The cost of <paramref name="count"/> whole increments of <paramref name="step"/>.</summary>
    public bool HasExactIncrementCost(int step) => _perIncrement[step] is not null;

    public decimal IncrementsCost(int step, long count) =>
        _perIncrement[step] is { } each ? each * count : Cost(step, count * _increment[step]);

    private static decimal? ExactQuotient(decimal dividend, long divisor)
    {
        var q = dividend / divisor;
        return q * divisor == dividend && q.Scale <= 12 ? q : null;
    }

    /// <summary>Cheaper-first order of the first step's price per unit (cross-multiplied: no division).</summary>
    public static int CompareFirstStepPrice(CompiledRate a, CompiledRate b) =>
        (a._price[0] * b._unit[0]).CompareTo(b._price[0] * a._unit[0]);
}

/// <summary>A plan entry with its timing and rate resolved.</summary>
internal sealed class CompiledEntry(PriceEntry entry, CompiledTiming timing, CompiledRate rate)
{
    public PriceEntry Entry { get; } = entry;

    public CompiledTiming Timing { get; } = timing;

    public CompiledRate Rate { get; } = rate;
}

/// <summary>
/// The entries of one plan, service and destination group, in precedence order (weight
/// descending, then cheaper first step, lower connect fee, rate id ordinal, plan order), so the
/// winner at a moment is the first entry that holds. Boundaries: every time of day (nanoseconds,
/// 0 &lt; b &lt; 24 h) where one of these timings starts or ends.
/// </summary>
internal sealed class GroupTariff
{
    public GroupTariff(string group, IEnumerable<CompiledEntry> entries, IEnumerable<Allowance> allowances)
    {
        Group = group;
        Entries = [.. entries
            .OrderByDescending(e => e.Entry.Weight)
            .ThenBy(e => e.Rate, Comparer<CompiledRate>.Create(CompiledRate.CompareFirstStepPrice))
            .ThenBy(e => e.Rate.ConnectFee)
            .ThenBy(e => e.Rate.Id, StringComparer.Ordinal)];
        Boundaries = [.. Entries
            .SelectMany(e => new[] { e.Timing.StartNanos, e.Timing.EndNanos })
            .Where(b => b > 0 && b < CompiledTiming.NanosecondsPerDay)
            .Distinct()
            .Order()];
        Allowances = [.. allowances];
    }

    public string Group { get; }

    public CompiledEntry[] Entries { get; }

    /// <summary>The highest weight among the group's entries: which group a prefix shared by several belongs to.</summary>
    public decimal Weight => Entries.Length == 0 ? decimal.MinValue : Entries[0].Entry.Weight;

    public long[] Boundaries { get; }

    /// <summary>The plan's allowances of this service that cover this group, in plan order.</summary>
    public Allowance[] Allowances { get; }

    /// <summary>The first boundary strictly after <paramref name="nanosecondOfDay"/>, else midnight.</summary>
    public long NextBoundary(long nanosecondOfDay)
    {
        foreach (var b in Boundaries)
        {
            if (b > nanosecondOfDay)
            {
                return b;
            }
        }

        return CompiledTiming.NanosecondsPerDay;
    }
}

/// <summary>A prefix of the destination table and the group this plan prices for it.</summary>
internal sealed class PricedPrefix(string prefix, GroupTariff group)
{
    public string Prefix { get; } = prefix;

    public GroupTariff Group { get; } = group;
}

/// <summary>
/// One plan's tariff for one service: priced prefixes and the "*any" catch-all. Prefixes of digits
/// only (E.164) are also laid out as a digit trie, so the longest match is one pass over the number
/// with no hashing; any other prefix falls back to span lookups, longest first.
/// </summary>
internal sealed class ServiceTariff
{
    private readonly Dictionary<string, PricedPrefix> _byPrefix;
    private readonly Dictionary<string, PricedPrefix>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _maxPrefixLength;

    // Trie: node i occupies _trie[i * Stride .. i * Stride + 10]: the child for digit d at + d (0 = none;
    // node 0 is the root), and at + 10 one more than the index of its priced prefix in _values (0 = none),
    // so a step of the walk reads one node's few cache lines.
    private const int Stride = 11;
    private readonly int[]? _trie;
    private readonly PricedPrefix[]? _values;

    public ServiceTariff(Dictionary<string, PricedPrefix> byPrefix, GroupTariff? any)
    {
        _byPrefix = byPrefix;
        _lookup = byPrefix.GetAlternateLookup<ReadOnlySpan<char>>();
        _maxPrefixLength = byPrefix.Count == 0 ? 0 : byPrefix.Keys.Max(k => k.Length);
        Any = any;
        if (byPrefix.Keys.All(k => k.Length > 0 && k.All(char.IsAsciiDigit)))
        {
            var trie = new List<int>(Stride * 1024);
            trie.AddRange(new int[Stride]);
            var values = new List<PricedPrefix>(byPrefix.Count);
            foreach (var (prefix, priced) in byPrefix.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var node = 0;
                foreach (var c in prefix)
                {
                    var slot = (node * Stride) + (c - '0');
                    if (trie[slot] == 0)
                    {
                        trie[slot] = trie.Count / Stride;
                        trie.AddRange(new int[Stride]);
                    }

                    node = trie[slot];
                }

                values.Add(priced);
                trie[(node * Stride) + 10] = values.Count;
            }

            _trie = [.. trie];
            _values = [.. values];
        }
    }

    public GroupTariff? Any { get; }

    public int PricedPrefixCount => _byPrefix.Count;

    /// <summary>The longest prefix of <paramref name="number"/> this plan prices.</summary>
    public bool TryMatch(string number, out PricedPrefix priced)
    {
        if (_trie is { } trie)
        {
            var best = 0;
            var node = 0;
            foreach (var c in number)
            {
                var digit = unchecked((uint)(c - '0')); // a '#', '*', '+' or space wraps to a large value: no digit, no match
                if (digit > 9)
                {
                    break;
                }

                node = trie[(node * Stride) + (int)digit];
                if (node == 0)
                {
                    break;
                }

                var value = trie[(node * Stride) + 10];
                best = value != 0 ? value : best;
            }

            priced = best != 0 ? _values![best - 1] : null!;
            return best != 0;
        }

        var span = number.AsSpan();
        for (var len = Math.Min(span.Length, _maxPrefixLength); len > 0; len--)
        {
            if (_lookup.TryGetValue(span[..len], out priced!))
            {
                return true;
            }
        }

        priced = null!;
        return false;
    }
}

/// <summary>A plan ready for rating: its zone resolved and a tariff per service.</summary>
internal sealed class CompiledPlan(Plan plan, DateTimeZone zone, ServiceTariff voice, ServiceTariff sms, ServiceTariff data)
{
    public Plan Plan { get; } = plan;

    public DateTimeZone Zone { get; } = zone;

    public ServiceTariff For(ServiceType service) => service switch
    {
        ServiceType.Voice => voice,
        ServiceType.Sms => sms,
        ServiceType.Data => data,
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
    };
}
