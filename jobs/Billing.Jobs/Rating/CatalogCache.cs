using System.Collections.Concurrent;
using Billing.Catalog;
using Billing.Core.Catalog;
using Billing.Core.Rating;
using Billing.Storage;
using NodaTime;
using Npgsql;

namespace Billing.Jobs.Rating;

/// <summary>A stored catalogue version, parsed once, with its compiled rating engine.</summary>
public sealed record LoadedCatalog(int Id, Instant EffectiveFrom, TariffCatalog Catalog, Rater Rater);

/// <summary>
/// Stored catalogue versions, parsed and compiled once per process. Versions are immutable, so a
/// cached one never goes stale; the list of versions is re-read when asked about an unknown one.
/// </summary>
public sealed class CatalogCache
{
    private readonly ConcurrentDictionary<int, LoadedCatalog> _loaded = new();
    private IReadOnlyList<CatalogVersionRow> _versions = [];

    public int? LatestVersionId(NpgsqlConnection conn)
    {
        Refresh(conn);
        return _versions.Count == 0 ? null : _versions.Max(v => v.Id);
    }

    /// <summary>The version in force at an instant (latest effective_from not after it; the later load wins a tie).</summary>
    public LoadedCatalog? InForce(NpgsqlConnection conn, Instant at)
    {
        if (_versions.Count == 0)
        {
            Refresh(conn);
        }

        // _versions is ordered by (effective_from, id): the last one not after `at` is in force.
        CatalogVersionRow? row = null;
        foreach (var v in _versions)
        {
            if (v.EffectiveFrom > at)
            {
                break;
            }

            row = v;
        }

        return row is null ? null : _loaded.GetOrAdd(row.Id, _ => Load(conn, row));
    }

    public void Refresh(NpgsqlConnection conn) => _versions = CatalogStore.List(conn);

    private static LoadedCatalog Load(NpgsqlConnection conn, CatalogVersionRow row)
    {
        var (files, options) = CatalogStore.Content(conn, row.Id);
        var result = CatalogSource.LoadFiles(row.Kind, row.Label, files, options);
        var catalog = result.Catalog ?? throw new InvalidOperationException(
            $"stored catalogue version {row.Id} ({row.Label}) no longer reads: {string.Join("; ", result.Errors.Take(3))}");
        return new LoadedCatalog(row.Id, row.EffectiveFrom, catalog, new Rater(catalog));
    }
}
