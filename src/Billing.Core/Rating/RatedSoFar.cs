using NodaTime;

namespace Billing.Core.Rating;

/// <summary>
/// The last charge rated per (subscription, cycle) in event-time order, as one round of rating knows it — what tells an
/// in-order batch from a late one (<see cref="CycleSequencer.LateCycles"/>). A key is read from the database the first time
/// the round meets it (<see cref="Unknown"/>, then <see cref="Learn"/>), and moved on by the charges the round itself stores
/// (<see cref="Stored"/>): while the round holds its partitions no other process writes or takes back their charges, so the
/// database would give the same answer again (a round of ten ranges asked it ten times for most keys). A value is never
/// below the database's: a record that a re-rating held rather than charged again leaves the latest where it was, which
/// can only make a later batch look late and be rated again in full order — the same charges, only slower. Beyond
/// <paramref name="capacity"/> keys it forgets them all and asks again.
/// </summary>
public sealed class RatedSoFar(int capacity = 1_000_000)
{
    private readonly Dictionary<(long Sub, LocalDate Cycle), (Instant Start, long UsageId)?> _latest = [];

    /// <summary>The keys of <paramref name="keys"/> this round has not read or stored yet.</summary>
    public List<(long Sub, LocalDate Cycle)> Unknown(IEnumerable<(long Sub, LocalDate Cycle)> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (_latest.Count > capacity)
        {
            _latest.Clear();
        }

        return [.. keys.Where(k => !_latest.ContainsKey(k))];
    }

    /// <summary>Records what the database gave for <paramref name="asked"/>: the latest charge of each, or none (a key it left out).</summary>
    public void Learn(IEnumerable<(long Sub, LocalDate Cycle)> asked, IReadOnlyDictionary<(long Sub, LocalDate Cycle), (Instant Start, long UsageId)> found)
    {
        ArgumentNullException.ThrowIfNull(asked);
        ArgumentNullException.ThrowIfNull(found);
        foreach (var key in asked)
        {
            _latest[key] = found.TryGetValue(key, out var latest) ? latest : null;
        }
    }

    /// <summary>The latest charge of each of <paramref name="keys"/> that has one (every key must be known: <see cref="Unknown"/> first).</summary>
    public Dictionary<(long Sub, LocalDate Cycle), (Instant Start, long UsageId)> Of(IEnumerable<(long Sub, LocalDate Cycle)> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var of = new Dictionary<(long Sub, LocalDate Cycle), (Instant Start, long UsageId)>();
        foreach (var key in keys)
        {
            if (!_latest.TryGetValue(key, out var latest))
            {
                throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"subscription {key.Sub}'s cycle from {key.Cycle:uuuu-MM-dd} was not looked up"));
            }

            if (latest is { } l)
            {
                of[key] = l;
            }
        }

        return of;
    }

    /// <summary>Moves each known key on to the latest of <paramref name="charges"/>, once they are stored.</summary>
    public void Stored(IEnumerable<RatedUsage> charges)
    {
        ArgumentNullException.ThrowIfNull(charges);
        foreach (var c in charges)
        {
            var key = (c.Usage.Subscriber!.SubscriptionId, c.Cycle);
            var at = (c.Usage.Start, c.Usage.Id);
            if (!_latest.TryGetValue(key, out var latest))
            {
                continue; // not read from the database: a charge of its own may be later still — read when next met
            }

            if (latest is not { } l || at.Start > l.Start || (at.Start == l.Start && at.Id > l.UsageId))
            {
                _latest[key] = at;
            }
        }
    }
}
