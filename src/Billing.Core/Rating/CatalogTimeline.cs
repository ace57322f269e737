using Billing.Core.Catalog;
using NodaTime;

namespace Billing.Core.Rating;

/// <summary>A stored catalogue version, parsed and compiled: what usage in force of it is priced with.</summary>
public sealed record CatalogVersion(int Id, Instant EffectiveFrom, TariffCatalog Catalog, Rater Rater);

/// <summary>
/// Catalogue versions by the instant they take effect. The version in force at an instant is the
/// latest one effective at or before it; of two effective at the same instant, the later load (the
/// higher id) wins. A timeline built for a batch holds the versions in force at the batch's events,
/// and answers for those instants.
/// </summary>
public sealed class CatalogTimeline
{
    private readonly CatalogVersion[] _versions;
    private readonly Instant[] _effective;

    public CatalogTimeline(IEnumerable<CatalogVersion> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        _versions = versions.OrderBy(v => v.EffectiveFrom).ThenBy(v => v.Id).ToArray();
        _effective = _versions.Select(v => v.EffectiveFrom).ToArray();
    }

    public static CatalogTimeline Empty { get; } = new([]);

    public IReadOnlyList<CatalogVersion> Versions => _versions;

    /// <summary>The version in force at <paramref name="at"/>, or null when none had taken effect yet.</summary>
    public CatalogVersion? InForce(Instant at) => IndexInForce(_effective, at) is var i and >= 0 ? _versions[i] : null;

    /// <summary>
    /// The rule of the timeline over any list ordered by (effective instant, id): the index of the
    /// last entry effective at or before <paramref name="at"/>, or -1 when there is none.
    /// </summary>
    public static int IndexInForce(IReadOnlyList<Instant> effectiveOrdered, Instant at)
    {
        ArgumentNullException.ThrowIfNull(effectiveOrdered);
        int lo = 0, hi = effectiveOrdered.Count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (effectiveOrdered[mid] <= at)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo - 1;
    }
}
