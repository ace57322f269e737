using System.Globalization;
using System.Runtime.CompilerServices;
using Billing.Core.Catalog;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Rating;

/// <summary>
/// The pure rating engine: prices one usage event under a plan of one catalogue version, the way
/// CGRateS prices a call (FORMATS.md §5), but in exact <see cref="decimal"/>. No I/O, no clock;
/// the same inputs always give the same charge. Thread-safe: the compiled catalogue is read-only,
/// every call keeps its state on the stack, and the only shared write is the calendar's cache of
/// immutable blocks of days (published once each).
/// </summary>
/// <remarks>
/// <para><b>Plan.</b> An unknown plan id fails with <see cref="HoldReasons.UnknownPlan"/>.</para>
/// <para><b>Destination</b> (voice, SMS). The number's prefixes are walked from the longest down;
/// among the destination groups the plan prices for the service at the longest such prefix, the
/// one with the highest entry weight wins (equal weight: the table's order), and that prefix is <see cref="RatedCharge.MatchedPrefix"/>. Otherwise the plan's
/// "*any" entries apply (no matched prefix); otherwise the event fails with
/// <see cref="HoldReasons.NoTariff"/>. A missing or empty number goes straight to "*any". Data
/// has no destination: only "*any" entries apply and the charge's group is null.</para>
/// <para><b>Time bands</b> are evaluated in the plan's IANA zone (TZDB). An entry holds at a local
/// date-time if its timing's year, month, day-of-month and weekday filters (null = any) and holiday
/// rule (against <see cref="TariffCatalog.Holidays"/>) accept the local date, and the local time
/// of day lies in [Start, End). End null — or End ≤ Start, which would wrap past midnight — means
/// until midnight. Among the entries that hold, the highest weight wins; on equal weight the
/// cheaper first step (Price/Unit), then the lower connect fee, then the rate id (ordinal), then
/// plan order. No entry holding fails with <see cref="HoldReasons.NoTiming"/> — also when that
/// happens part-way through a call.</para>
/// <para><b>Voice</b> is priced by the increment walk along the call's offset q (seconds): at q the
/// entry winning at instant Start + q and its step with the largest From ≤ q give an increment that
/// is priced entirely by that step (Price × Increment / Unit); then q advances by the increment
/// while q &lt; Quantity. The grid is never reset at a band boundary; an increment belongs to the
/// band in force where it starts, and the last one may overrun the call. Runs of equal pricing are
/// done in closed form. A band segment ends at the next local time of day at which any of the
/// group's timings starts or ends, at local midnight, or at a UTC-offset change of the zone,
/// whichever comes first; inside one zone interval the offset is constant, so the local boundary
/// converts to an instant exactly (the same instant a lenient resolver gives for a boundary that
/// exists; a boundary inside a DST gap is never reached because the offset change comes first,
/// and in a DST overlap the repeated local hour is evaluated again after the change). Start may
/// carry sub-seconds: an increment at integer offset q lies in a segment iff Start + q is before
/// the segment's end. SMS and data have no duration: the whole quantity is priced by the entry
/// winning at Start, the steps still applying by offset along the quantity.</para>
/// <para><b>Cost.</b> The connect fee of the rate winning at offset 0 (once) plus the increment
/// costs is <see cref="RatedCharge.RawCost"/>. Then, with the options of that first rate: the
/// minimum charge lifts a smaller cost; a positive MaxCost with strategy Free caps it; then the
/// cost is rounded to RoundingDecimals (Up = ceiling, Middle = half away from zero, Down = floor),
/// the cap included, as CGRateS does. With strategy Disconnect the cost is not capped:
/// <see cref="RatedCharge.DisconnectAt"/> reports the offset of the first increment begun with the
/// increments' cost so far at or above MaxCost (where CGRateS would have cut the call), if any.
/// The amount keeps <see cref="Money.Rounding.ChargeDecimals"/> decimals. A zero quantity has no
/// increments and costs the connect fee (subject to minimum, cap and rounding); it touches no
/// allowance.</para>
/// <para><b>Allowances.</b> The plan's allowances of the service whose destination groups are
/// null or contain the priced group (data: "*any"), in plan order; the first with a remaining
/// balance &gt; 0 in <c>allowanceRemaining</c> (a missing id counts as 0 — the caller seeds the
/// cycle with <see cref="OpeningAllowances"/>) covers increments from the start of the event: an
/// increment that fits consumes its whole length, the increment that crosses the end of the
/// balance consumes what is left and its uncovered rest is priced pro rata; later increments are
/// priced normally. One allowance per event: the next one is not tapped when it runs out. An event
/// covered entirely costs 0 — no connect fee, no minimum. The balance is decremented only when the
/// event is rated.</para>
/// <para><b>Parts.</b> Consecutive increments with the same timing, rate, step and coverage form
/// one <see cref="ChargePart"/>; the increment split by the end of an allowance belongs to the
/// uncovered part that follows it (its AllowanceQuantity is the covered fraction). Part costs
/// exclude the connect fee. A part's Start is the instant of its first increment (Start for SMS
/// and data).</para>
/// </remarks>
public sealed class Rater
{
    private const string AnyGroup = Plan.AnyDestination;
    private const long NanosecondsPerSecond = NodaConstants.NanosecondsPerSecond;

    private readonly TariffCatalog _catalog;
    private readonly Dictionary<string, CompiledPlan> _plans;
    private readonly CalendarDays _days;

    /// <summary>
    /// Compiles the catalogue for rating. Throws <see cref="ArgumentException"/> when it is
    /// inconsistent (an entry naming an unknown rate or timing, a rate without a step at 0, an
    /// unknown time zone): that is a bug in the catalogue's loader, not a data problem of one event.
    /// </summary>
    public Rater(TariffCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        _days = new CalendarDays(catalog.Holidays);
        var rates = catalog.Rates.ToDictionary(kv => kv.Key, kv => new CompiledRate(kv.Value), StringComparer.Ordinal);
        var timings = catalog.Timings.ToDictionary(kv => kv.Key, kv => new CompiledTiming(kv.Value), StringComparer.Ordinal);
        var always = new CompiledTiming(Timing.Always);
        var prefixes = catalog.Destinations.Entries.Select(e => e.Prefix).Distinct(StringComparer.Ordinal).ToArray();
        _plans = new Dictionary<string, CompiledPlan>(StringComparer.Ordinal);
        foreach (var (id, plan) in catalog.Plans)
        {
            var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(plan.TimeZone)
                ?? throw new ArgumentException($"Plan '{id}': unknown time zone '{plan.TimeZone}'.", nameof(catalog));
            _plans[id] = new CompiledPlan(
                plan,
                zone,
                Compile(plan, ServiceType.Voice, prefixes),
                Compile(plan, ServiceType.Sms, prefixes),
                Compile(plan, ServiceType.Data, prefixes));
        }

        ServiceTariff Compile(Plan plan, ServiceType service, string[] allPrefixes)
        {
            var groups = new Dictionary<string, GroupTariff>(StringComparer.Ordinal);
            foreach (var byGroup in plan.Entries(service).GroupBy(e => e.DestinationGroup, StringComparer.Ordinal))
            {
                if (service == ServiceType.Data && byGroup.Key != AnyGroup)
                {
                    continue;
                }

                var entries = byGroup.Select(e => new CompiledEntry(
                    e,
                    e.TimingId == AnyGroup ? always : timings.TryGetValue(e.TimingId, out var t) ? t
                        : throw new ArgumentException($"Plan '{plan.Id}': unknown timing '{e.TimingId}'.", nameof(catalog)),
                    rates.TryGetValue(e.RateId, out var r) ? r
                        : throw new ArgumentException($"Plan '{plan.Id}': unknown rate '{e.RateId}'.", nameof(catalog))));
                var allowances = plan.Allowances.Where(a => a.Service == service && (a.DestinationGroups is null || a.DestinationGroups.Contains(byGroup.Key)));
                groups[byGroup.Key] = new GroupTariff(byGroup.Key, entries, allowances);
            }

            var byPrefix = new Dictionary<string, PricedPrefix>(StringComparer.Ordinal);
            if (service != ServiceType.Data)
            {
                foreach (var prefix in allPrefixes)
                {
                    if (catalog.Destinations.TryGetGroups(prefix, out var prefixGroups))
                    {
                        // Several groups priced at one prefix: the highest entry weight wins (CGRateS'
                        // GetRatingPlansForPrefix), equal weight the first in the table's order.
                        GroupTariff? best = null;
                        foreach (var g in prefixGroups)
                        {
                            if (g != AnyGroup && groups.TryGetValue(g, out var tariff) && (best is null || tariff.Weight > best.Weight))
                            {
                                best = tariff;
                            }
                        }

                        if (best is not null)
                        {
                            byPrefix[prefix] = new PricedPrefix(prefix, best);
                        }
                    }
                }
            }

            return new ServiceTariff(byPrefix, groups.GetValueOrDefault(AnyGroup));
        }
    }

    public TariffCatalog Catalog => _catalog;

    /// <summary>The balances a subscriber of <paramref name="planId"/> starts a bill cycle with: allowance id → amount.</summary>
    public Dictionary<string, long> OpeningAllowances(string planId)
    {
        ArgumentNullException.ThrowIfNull(planId);
        return _plans.TryGetValue(planId, out var plan)
            ? plan.Plan.Allowances.ToDictionary(a => a.Id, a => a.Amount, StringComparer.Ordinal)
            : new Dictionary<string, long>(StringComparer.Ordinal);
    }

    /// <summary>
    /// Prices <paramref name="request"/> under plan <paramref name="planId"/> (semantics: see the
    /// class remarks). <paramref name="allowanceRemaining"/> maps allowance id → remaining quantity
    /// in the subscriber's current bill cycle and is decremented by what the event consumed; the
    /// caller rates a subscriber's events in event-time order and persists the balances.
    /// </summary>
    /// <param name="withParts">false leaves <see cref="RatedCharge.Parts"/> empty: bulk rating stores no parts (an
    /// explanation computes them again), and a parts array per charge was a large share of what rating allocated.</param>
    public RatingOutcome Rate(string planId, RatingRequest request, Dictionary<string, long>? allowanceRemaining, bool withParts = true)
    {
        ArgumentNullException.ThrowIfNull(planId);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Quantity, nameof(request));

        if (!_plans.TryGetValue(planId, out var plan))
        {
            return RatingOutcome.Failed(HoldReasons.UnknownPlan, $"Plan '{planId}' is not in catalogue version {_catalog.Version}.");
        }

        var service = request.Service;
        var tariff = plan.For(service);
        GroupTariff? group = null;
        string? matchedPrefix = null;
        if (service != ServiceType.Data && !string.IsNullOrEmpty(request.Destination) && tariff.TryMatch(request.Destination, out var priced))
        {
            group = priced.Group;
            matchedPrefix = priced.Prefix;
        }

        group ??= tariff.Any;
        if (group is null)
        {
            return RatingOutcome.Failed(
                HoldReasons.NoTariff,
                service == ServiceType.Data
                    ? $"Plan '{planId}' has no data tariff."
                    : $"Plan '{planId}' prices no {service.Code()} destination for '{request.Destination}' and has no \"*any\" entry.");
        }

        Allowance? allowance = null;
        long balance = 0;
        if (allowanceRemaining is not null && request.Quantity > 0)
        {
            foreach (var a in group.Allowances)
            {
                if (allowanceRemaining.TryGetValue(a.Id, out var left) && left > 0)
                {
                    allowance = a;
                    balance = left;
                    break;
                }
            }
        }

        return Walk(plan, group, matchedPrefix, request, allowance, balance, allowanceRemaining, withParts);
    }

    private RatingOutcome Walk(
        CompiledPlan plan,
        GroupTariff group,
        string? matchedPrefix,
        RatingRequest request,
        Allowance? allowance,
        long balance,
        Dictionary<string, long>? allowanceRemaining,
        bool withParts)
    {
        var timed = request.Service == ServiceType.Voice;
        var start = request.Start;
        var quantity = request.Quantity;

        if (!TryFindBand(plan, group, start, start, timed, out var entry, out var segmentEnd))
        {
            return NoTiming(plan, group, start);
        }

        var first = entry;
        var parts = new PartCollector();
        var allowanceLeft = balance;
        var increments = new CostSum();
        var uncovered = 0L;
        var cut = new CutWatch(first.Rate.Source is { MaxCost: > 0, MaxCostStrategy: MaxCostStrategy.Disconnect } r ? r.MaxCost : 0m);
        var q = 0L;
        while (q < quantity)
        {
            if (q >= segmentEnd)
            {
                var at = start + Duration.FromSeconds(q);
                if (!TryFindBand(plan, group, at, start, timed, out entry, out segmentEnd))
                {
                    return NoTiming(plan, group, at);
                }
            }

            var rate = entry.Rate;
            var step = rate.StepAt(q);
            var inc = rate.Increment(step);
            var runEnd = Math.Min(Math.Min(quantity, segmentEnd), rate.NextFrom(step));
            var n = ((runEnd - q) + inc - 1) / inc;

            if (allowanceLeft > 0)
            {
                var whole = Math.Min(n, allowanceLeft / inc);
                if (whole > 0)
                {
                    var covered = whole * inc;
                    parts.Add(start, timed, q, covered, entry, step, covered, 0m, isCovered: true);
                    allowanceLeft -= covered;
                    q += covered;
                    n -= whole;
                }

                if (n > 0 && allowanceLeft > 0)
                {
                    // The increment crossing the end of the balance: its covered fraction uses up the rest,
                    // the uncovered rest is priced pro rata; the run's later increments are priced in full.
                    var billed = n * inc;
                    var cost = rate.Cost(step, billed - allowanceLeft);
                    if (cut.Watching)
                    {
                        cut.Watch(q, inc, 1, rate.Cost(step, inc - allowanceLeft));
                        cut.Watch(q + inc, inc, n - 1, rate.IncrementsCost(step, 1));
                    }

                    parts.Add(start, timed, q, billed, entry, step, allowanceLeft, cost, isCovered: false);
                    increments.Add(rate, step, billed - allowanceLeft, cost, exact: false);
                    uncovered += billed - allowanceLeft;
                    allowanceLeft = 0;
                    q += billed;
                    n = 0;
                }
            }

            if (n > 0)
            {
                var billed = n * inc;
                var cost = rate.IncrementsCost(step, n);
                if (cut.Watching)
                {
                    cut.Watch(q, inc, n, rate.IncrementsCost(step, 1));
                }

                parts.Add(start, timed, q, billed, entry, step, 0, cost, isCovered: false);
                increments.Add(rate, step, billed, cost, rate.HasExactIncrementCost(step));
                uncovered += billed;
                q += billed;
            }
        }

        var used = balance - allowanceLeft;
        var options = first.Rate.Source;
        decimal connectFee = 0m, raw = 0m, cost0 = 0m;
        bool minimumApplied = false, capped = false;
        long? disconnectAt = null;
        var coveredEntirely = used > 0 && uncovered == 0;
        if (!coveredEntirely)
        {
            connectFee = options.ConnectFee;
            raw = connectFee + increments.Total();
            cost0 = raw;
            if (options.MinimumCharge > 0 && cost0 < options.MinimumCharge)
            {
                cost0 = options.MinimumCharge;
                minimumApplied = true;
            }

            // CGRateS caps before its rounding (CallDescriptor.GetCost), so a MaxCost finer than RoundingDecimals is rounded too.
            if (options.MaxCost > 0 && cost0 > options.MaxCost)
            {
                switch (options.MaxCostStrategy)
                {
                    case MaxCostStrategy.Free:
                        cost0 = options.MaxCost;
                        capped = true;
                        break;
                    case MaxCostStrategy.Disconnect:
                        break; // reported where the call should have been cut (CutWatch), not capped
                    default:
                        throw new InvalidOperationException($"Unknown max cost strategy {options.MaxCostStrategy}.");
                }
            }

            cost0 = RoundCost(cost0, options.Rounding, options.RoundingDecimals);
            disconnectAt = cut.At;
        }

        if (allowance is not null && used > 0 && allowanceRemaining is not null)
        {
            allowanceRemaining[allowance.Id] = allowanceLeft;
        }

        var isData = request.Service == ServiceType.Data;
        return RatingOutcome.Rated(new RatedCharge
        {
            Amount = Money.Rounding.ToChargePrecision(cost0),
            Currency = plan.Plan.Currency,
            CatalogVersion = _catalog.Version,
            PlanId = plan.Plan.Id,
            DestinationGroup = isData ? null : group.Group,
            MatchedPrefix = matchedPrefix,
            Quantity = quantity,
            BilledQuantity = q,
            AllowanceId = used > 0 ? allowance?.Id : null,
            AllowanceUsed = used,
            AllowanceBefore = used > 0 ? balance : 0,
            TimeBand = first.Entry.TimingId,
            ConnectFee = connectFee,
            RawCost = raw,
            MinimumApplied = minimumApplied,
            Capped = capped,
            DisconnectAt = disconnectAt,
            Parts = withParts ? parts.ToArray() : [],
        });
    }

    /// <summary>
    /// The entry winning at <paramref name="at"/> and the end of its segment as an offset from
    /// <paramref name="start"/> in whole seconds (the first integer offset whose instant is at or
    /// after the next band boundary, midnight or zone offset change). Untimed services have one
    /// segment.
    /// </summary>
    private bool TryFindBand(CompiledPlan plan, GroupTariff group, Instant at, Instant start, bool timed, out CompiledEntry entry, out long segmentEnd)
    {
        var interval = plan.Zone.GetZoneInterval(at);
        var day = _days.Local(at, interval.WallOffset, out var timeOfDay);

        entry = null!;
        segmentEnd = 0;
        foreach (var candidate in group.Entries)
        {
            if (candidate.Timing.HoldsAt(timeOfDay) && candidate.Timing.HoldsOn(day))
            {
                entry = candidate;
                break;
            }
        }

        if (entry is null)
        {
            return false;
        }

        if (!timed)
        {
            segmentEnd = long.MaxValue;
            return true;
        }

        var boundary = at + Duration.FromNanoseconds(group.NextBoundary(timeOfDay) - timeOfDay);
        if (interval.HasEnd && interval.End < boundary)
        {
            boundary = interval.End;
        }

        var nanos = (boundary - start).ToInt64Nanoseconds();
        segmentEnd = (nanos + NanosecondsPerSecond - 1) / NanosecondsPerSecond;
        return true;
    }

    private static RatingOutcome NoTiming(CompiledPlan plan, GroupTariff group, Instant at)
    {
        var local = at.InZone(plan.Zone).LocalDateTime;
        return RatingOutcome.Failed(
            HoldReasons.NoTiming,
            $"Plan '{plan.Plan.Id}' has no entry for '{group.Group}' holding at {local.ToString("uuuu-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)} {plan.Zone.Id}.");
    }

    /// <summary>CGRateS' rounding of a call's cost: *up = ceiling, *middle = half away from zero, *down = floor.</summary>
    internal static decimal RoundCost(decimal cost, RoundingMethod method, int decimals) => method switch
    {
        RoundingMethod.Up => Math.Round(cost, decimals, MidpointRounding.ToPositiveInfinity),
        RoundingMethod.Middle => Math.Round(cost, decimals, MidpointRounding.AwayFromZero),
        RoundingMethod.Down => Math.Round(cost, decimals, MidpointRounding.ToNegativeInfinity),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>
    /// Where a call under a *disconnect MaxCost should have been cut, as CGRateS' debit does it
    /// (Account.debitCreditBalance, the dry run behind GetMaxSessionDuration): before the first
    /// increment that starts with the increments' cost so far (the connect fee not counted) at or
    /// above MaxCost. Null while that never happens within the call.
    /// </summary>
    private struct CutWatch(decimal maxCost)
    {
        private decimal _spent;

        public long? At { get; private set; }

        /// <summary>A disconnect MaxCost applies and the cut is not found yet (the common call skips the watch).</summary>
        public readonly bool Watching => maxCost > 0 && At is null;

        /// <summary><paramref name="count"/> increments of <paramref name="increment"/> from <paramref name="offset"/>, each costing <paramref name="perIncrement"/>.</summary>
        public void Watch(long offset, long increment, long count, decimal perIncrement)
        {
            if (!Watching || count <= 0)
            {
                return;
            }

            // Most runs stay under MaxCost: the division below finds where a run crosses it, and would find none.
            var after = _spent + (perIncrement * count);
            if (_spent < maxCost && after < maxCost)
            {
                _spent = after;
                return;
            }

            if (_spent >= maxCost)
            {
                At = offset;
            }
            else if (perIncrement > 0)
            {
                // The increments it takes to reach MaxCost; the cut comes before the one after them.
                var needed = (long)Math.Min(Math.Ceiling((maxCost - _spent) / perIncrement), count);
                while (needed > 1 && _spent + (perIncrement * (needed - 1)) >= maxCost)
                {
                    needed--;
                }

                if (needed < count)
                {
                    At = offset + (needed * increment);
                }
            }

            _spent += perIncrement * count;
        }
    }

    /// <summary>
    /// Σ Price × quantity / Unit with one division per distinct unit (normally one per event): a
    /// rate like 0.7 per 60 s split into parts sums to exactly 0.7, where adding per-part quotients
    /// (0.7 × 7 / 60 + 0.7 × 53 / 60) could leave a 1e-27 residue that rounding up would turn into
    /// 0.7001. Part costs are the per-part quotients and may differ from this sum in that residue.
    /// </summary>
    private struct CostSum
    {
        private decimal _done;
        private decimal _numerator;
        private long _unit;
        private decimal _exactSum;
        private bool _inexact;
        private int _runs;

        /// <param name="exact">The part's cost is exact (a terminating per-increment price): while all are, their sum is the total and no division is needed.</param>
        public void Add(CompiledRate rate, int step, long quantity, decimal cost, bool exact)
        {
            _exactSum += cost;
            _inexact |= !exact;
            _runs++;
            var unit = rate.Unit(step);
            if (unit != _unit)
            {
                Close();
                _unit = unit;
            }

            _numerator += rate.Price(step) * quantity;
        }

        public decimal Total()
        {
            // One run: its cost already is Price × quantity / Unit, the single quotient.
            if (!_inexact || _runs == 1)
            {
                return _exactSum;
            }

            Close();
            return _done;
        }

        private void Close()
        {
            if (_unit != 0)
            {
                _done += _numerator / _unit;
                _numerator = 0m;
            }
        }
    }

    /// <summary>Collects parts without a list for the common case of a few; merges runs priced alike.</summary>
    private struct PartCollector
    {
        private PartBuffer _buffer;
        private int _count;
        private List<ChargePart>? _overflow;
        private bool _open;
        private bool _openCovered;
        private CompiledEntry? _openEntry;
        private int _openStep;
        private Instant _openStart;
        private long _openOffset;
        private long _openBilled;
        private long _openAllowance;
        private decimal _openCost;

        public void Add(Instant eventStart, bool timed, long offset, long billed, CompiledEntry entry, int step, long allowance, decimal cost, bool isCovered)
        {
            if (_open && _openCovered == isCovered && _openStep == step && ReferenceEquals(_openEntry!.Timing, entry.Timing) && ReferenceEquals(_openEntry.Rate, entry.Rate))
            {
                _openBilled += billed;
                _openAllowance += allowance;
                _openCost += cost;
                return;
            }

            Flush();
            _open = true;
            _openCovered = isCovered;
            _openEntry = entry;
            _openStep = step;
            _openStart = timed ? eventStart + Duration.FromSeconds(offset) : eventStart;
            _openOffset = offset;
            _openBilled = billed;
            _openAllowance = allowance;
            _openCost = cost;
        }

        public ChargePart[] ToArray()
        {
            Flush();
            if (_overflow is not null)
            {
                return [.. _overflow];
            }

            if (_count == 0)
            {
                return [];
            }

            var result = new ChargePart[_count];
            for (var i = 0; i < _count; i++)
            {
                result[i] = _buffer[i];
            }

            return result;
        }

        private void Flush()
        {
            if (!_open)
            {
                return;
            }

            _open = false;
            var part = new ChargePart(_openStart, _openOffset, _openBilled, _openEntry!.Entry.TimingId, _openEntry.Entry.RateId, _openEntry.Rate.SourceIndex(_openStep), _openAllowance, _openCost);
            if (_overflow is not null)
            {
                _overflow.Add(part);
            }
            else if (_count < PartBuffer.Length)
            {
                _buffer[_count++] = part;
            }
            else
            {
                _overflow = new List<ChargePart>(PartBuffer.Length * 2);
                for (var i = 0; i < _count; i++)
                {
                    _overflow.Add(_buffer[i]);
                }

                _overflow.Add(part);
            }
        }
    }

    [InlineArray(Length)]
    private struct PartBuffer
    {
        // Most events have one part, a band or allowance crossing two or three; the buffer is zeroed on every call.
        public const int Length = 3;
        private ChargePart _element;
    }
}
