using System.Text.Json;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage;

public sealed record CatalogVersionRow
{
    public int Id { get; init; }
    public string Label { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Checksum { get; init; } = "";
    public Instant EffectiveFrom { get; init; }
    public Instant LoadedAt { get; init; }
    public string LoadedBy { get; init; } = "";
}

/// <summary>Stored catalogue versions: the source files themselves, so a version is re-read exactly as loaded.</summary>
public static class CatalogStore
{
    private const string Columns = "id, label, kind, checksum, effective_from, loaded_at, loaded_by";

    /// <summary>
    /// Stores a version; returns its id and whether it was new. A load is unchanged — no new version — only when the
    /// latest load at the same effective date has the same kind, files (<paramref name="checksum"/>) and options: the same
    /// load again. Files loaded before at that date but replaced since by a later load are stored again, so that they win.
    /// </summary>
    public static (int Id, bool Created) Save(NpgsqlConnection conn, string label, string kind, string checksum, Instant effectiveFrom,
        IReadOnlyDictionary<string, string> files, IReadOnlyDictionary<string, string> options, string loadedBy)
    {
        ArgumentNullException.ThrowIfNull(conn);
        using var tx = conn.BeginTransaction();
        // One load at a time (readers are not blocked): two loads of the same files at once store one version.
        conn.Execute("LOCK TABLE catalog_versions IN SHARE ROW EXCLUSIVE MODE", transaction: tx);
        var optionsJson = JsonSerializer.Serialize(options);
        var unchanged = conn.ExecuteScalar<int?>("""
            SELECT id FROM (SELECT id, kind, checksum, options FROM catalog_versions WHERE effective_from = @effectiveFrom ORDER BY id DESC LIMIT 1) v
            WHERE v.kind = @kind AND v.checksum = @checksum AND v.options = @optionsJson::jsonb
            """, new { kind, checksum, effectiveFrom, optionsJson }, tx);
        if (unchanged is { } id)
        {
            tx.Commit();
            return (id, false);
        }

        var created = conn.ExecuteScalar<int>("""
            INSERT INTO catalog_versions (label, kind, checksum, effective_from, files, options, loaded_by)
            VALUES (@label, @kind, @checksum, @effectiveFrom, @files::jsonb, @optionsJson::jsonb, @loadedBy)
            RETURNING id
            """, new { label, kind, checksum, effectiveFrom, files = JsonSerializer.Serialize(files), optionsJson, loadedBy }, tx);
        tx.Commit();
        return (created, true);
    }

    public static IReadOnlyList<CatalogVersionRow> List(NpgsqlConnection conn) =>
        conn.Query<CatalogVersionRow>($"SELECT {Columns} FROM catalog_versions ORDER BY effective_from, id").AsList();

    public static CatalogVersionRow? Get(NpgsqlConnection conn, int id) =>
        conn.QuerySingleOrDefault<CatalogVersionRow>($"SELECT {Columns} FROM catalog_versions WHERE id = @id", new { id });

    /// <summary>The version in force at an instant: the latest effective_from not after it (the later load wins a tie).</summary>
    public static CatalogVersionRow? InForce(NpgsqlConnection conn, Instant at) =>
        conn.QuerySingleOrDefault<CatalogVersionRow>($"""
            SELECT {Columns} FROM catalog_versions WHERE effective_from <= @at ORDER BY effective_from DESC, id DESC LIMIT 1
            """, new { at });

    public static (IReadOnlyDictionary<string, string> Files, IReadOnlyDictionary<string, string> Options) Content(NpgsqlConnection conn, int id)
    {
        var (files, options) = conn.QuerySingle<(string Files, string Options)>("SELECT files::text, options::text FROM catalog_versions WHERE id = @id", new { id });
        return (JsonSerializer.Deserialize<Dictionary<string, string>>(files)!, JsonSerializer.Deserialize<Dictionary<string, string>>(options)!);
    }
}
