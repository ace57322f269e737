using System.Collections.Concurrent;
using Billing.Catalog;
using Billing.Core.Rating;
using Billing.Storage;
using NodaTime;
using Npgsql;

namespace Billing.Jobs.Catalog;

/// <summary>
/// Stored catalogue versions, parsed and compiled once per process. Versions are immutable, so a
/// cached one never goes stale; the list of versions is re-read by <see cref="LatestVersionId"/>
/// (once per rating batch) or when none is known yet.
/// </summary>
public sealed class CatalogCache
{
    private readonly ConcurrentDictionary<int, CatalogVersion> _loaded = new();
    // One immutable value, swapped whole: the cache is shared by the workers of a process.
    private Listing _listing = new([], []);

    /// <summary>Re-reads the list of versions; returns the id of the newest load (null: none).</summary>
    public int? LatestVersionId(NpgsqlConnection conn)
    {
        var versions = Refresh(conn).Versions;
        return versions.Count == 0 ? null : versions.Max(v => v.Id);
    }

    /// <summary>
    /// The versions in force at any of <paramref name="instants"/>, loaded: what a batch of usage with
    /// those event times is rated with, read before the batch is computed.
    /// </summary>
    public CatalogTimeline Timeline(NpgsqlConnection conn, IEnumerable<Instant> instants)
    {
        ArgumentNullException.ThrowIfNull(instants);
        var (versions, effective) = _listing.Versions.Count == 0 ? Refresh(conn) : _listing;
        var needed = new HashSet<int>();
        foreach (var at in instants)
        {
            if (CatalogTimeline.IndexInForce(effective, at) is var i and >= 0)
            {
                needed.Add(i);
            }
        }

        return new CatalogTimeline(needed.Select(i => Loaded(conn, versions[i])));
    }

    /// <summary>The version in force at one instant, loaded (null: none yet).</summary>
    public CatalogVersion? InForce(NpgsqlConnection conn, Instant at) => Timeline(conn, [at]).InForce(at);

    /// <summary>Stored version <paramref name="id"/>, loaded (null: no such version, e.g. a benchmark's deleted by V0005).</summary>
    public CatalogVersion? Version(NpgsqlConnection conn, int id) =>
        _loaded.TryGetValue(id, out var known) ? known : CatalogStore.Get(conn, id) is { } row ? Loaded(conn, row) : null;

    private Listing Refresh(NpgsqlConnection conn)
    {
        // Listed in (effective_from, id) order, the timeline's.
        var versions = CatalogStore.List(conn);
        return _listing = new Listing(versions, versions.Select(v => v.EffectiveFrom).ToArray());
    }

    private sealed record Listing(IReadOnlyList<CatalogVersionRow> Versions, Instant[] Effective);

    private CatalogVersion Loaded(NpgsqlConnection conn, CatalogVersionRow row) => _loaded.GetOrAdd(row.Id, _ => Load(conn, row));

    private static CatalogVersion Load(NpgsqlConnection conn, CatalogVersionRow row)
    {
        var (files, options) = CatalogStore.Content(conn, row.Id);
        var result = CatalogSource.LoadFiles(row.Kind, row.Label, files, options);
        var catalog = result.Catalog ?? throw new InvalidOperationException(
            $"stored catalogue version {row.Id} ({row.Label}) no longer reads: {string.Join("; ", result.Errors.Take(3))}");
        return new CatalogVersion(row.Id, row.EffectiveFrom, catalog, new Rater(catalog));
    }
}
