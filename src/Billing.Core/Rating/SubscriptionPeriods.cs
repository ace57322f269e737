using NodaTime;

namespace Billing.Core.Rating;

/// <summary>
/// One subscription of a number over [<paramref name="From"/>, <paramref name="To"/>) (<paramref name="To"/> null: still open),
/// with its subscriber, and the day its dunning suspension not lifted yet began (null: none).
/// </summary>
public sealed record SubscriptionPeriod(string Msisdn, Instant From, Instant? To, Subscriber Subscriber, LocalDate? SuspendedOn = null);

/// <summary>
/// The subscription periods of a set of numbers, read once for a range of usage instead of one subscriptions
/// lookup per usage record: the period in force at an event is the one of its number that started last at or
/// before the event, if it is still open then (the end is exclusive). A number's periods never overlap (the
/// database refuses it), so that is the one period holding the event.
/// </summary>
public sealed class SubscriptionPeriods
{
    private readonly Dictionary<string, SubscriptionPeriod[]> _byNumber;

    public SubscriptionPeriods(IEnumerable<SubscriptionPeriod> periods)
    {
        ArgumentNullException.ThrowIfNull(periods);
        _byNumber = periods
            .GroupBy(p => p.Msisdn, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.From).ToArray(), StringComparer.Ordinal);
        foreach (var (msisdn, list) in _byNumber)
        {
            for (var i = 1; i < list.Length; i++)
            {
                if (list[i].From == list[i - 1].From)
                {
                    throw new ArgumentException($"two subscriptions of {msisdn} start at {list[i].From}", nameof(periods));
                }
            }
        }
    }

    /// <summary>How many numbers have periods here.</summary>
    public int Numbers => _byNumber.Count;

    /// <summary>The period of <paramref name="msisdn"/> in force at <paramref name="at"/>, or null when none is.</summary>
    public SubscriptionPeriod? At(string msisdn, Instant at)
    {
        if (!_byNumber.TryGetValue(msisdn, out var list))
        {
            return null;
        }

        // The last period starting at or before the event: a binary search over the starts.
        int lo = 0, hi = list.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (list[mid].From <= at)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (found < 0)
        {
            return null;
        }

        var period = list[found];
        return period.To is not { } to || to > at ? period : null;
    }
}

/// <summary>
/// Which usage records rating takes up again, and what it needs to know of their subscriber's suspension: the rules
/// of held usage (<see cref="HoldReasons"/>), applied to a record as read with the period in force at its event.
/// </summary>
public static class HeldUsage
{
    /// <summary>
    /// Whether a record with no charge is rated by this run: one never held (<paramref name="heldFor"/> null), or held for a
    /// cause that may be gone — a subscriber in force at the event now; a suspension lifted (or suspended usage no longer
    /// held); for any other reason, a catalogue version other than the one it was held under.
    /// </summary>
    public static bool MayRate(string? heldFor, int? heldUnderCatalog, SubscriptionPeriod? period, int latestCatalog, SuspendedUsage suspended) => heldFor switch
    {
        null => true,
        HoldReasons.UnknownSubscriber => period is not null,
        HoldReasons.Suspended => suspended != SuspendedUsage.Hold || period?.SuspendedOn is null,
        _ => heldUnderCatalog != latestCatalog,
    };

    /// <summary>
    /// Where suspended usage is held, the day the period's suspension began when the event falls in it (its UTC date
    /// on or after that day); otherwise null (<see cref="UsageToRate.SuspendedSince"/>).
    /// </summary>
    public static LocalDate? SuspendedSince(SubscriptionPeriod? period, Instant start, SuspendedUsage suspended) =>
        suspended == SuspendedUsage.Hold && period?.SuspendedOn is { } on && on <= start.InUtc().Date ? on : null;
}
