using System.Text.RegularExpressions;
using Dapper;

namespace Billing.Storage;

/// <summary>
/// Forward-only numbered SQL migrations (embedded <c>Migrations/V0001__name.sql</c>), applied in
/// order under an advisory lock, recorded in <c>schema_migrations</c>, refused against a newer schema.
/// </summary>
public static partial class Migrator
{
    private const long LockKey = 0x42_494C_4C49_4E47; // "BILLING"

    public sealed record Migration(int Version, string Name, string Sql);

    public sealed record MigrationReport(int From, int To, IReadOnlyList<string> Applied);

    public static IReadOnlyList<Migration> All { get; } = Load();

    public static int Latest => All[^1].Version;

    /// <summary>The schema version the database records (0 when none is), for a check that it is this build's <see cref="Latest"/>.</summary>
    public static async Task<int> CurrentVersionAsync(Npgsql.NpgsqlConnection conn) =>
        await conn.ExecuteScalarAsync<int?>("SELECT max(version) FROM schema_migrations") ?? 0;

    public static MigrationReport Migrate(BillingDatabase db)
    {
        ArgumentNullException.ThrowIfNull(db);
        using var conn = db.Open();
        conn.Execute("SELECT pg_advisory_lock(@LockKey)", new { LockKey });
        try
        {
            conn.Execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    int PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """);
            var current = conn.ExecuteScalar<int?>("SELECT max(version) FROM schema_migrations") ?? 0;
            if (current > Latest)
            {
                throw new DatabaseUnavailableException(
                    $"The database schema is at version {current}, newer than this build of billing knows ({Latest}). Upgrade billing before running it against this database.");
            }

            var applied = new List<string>();
            foreach (var m in All.Where(m => m.Version > current))
            {
                using var tx = conn.BeginTransaction();
                conn.Execute(m.Sql, transaction: tx);
                conn.Execute("INSERT INTO schema_migrations (version, name) VALUES (@Version, @Name)", new { m.Version, m.Name }, tx);
                tx.Commit();
                applied.Add($"V{m.Version:0000}__{m.Name}");
            }

            return new MigrationReport(current, Math.Max(current, Latest), applied);
        }
        finally
        {
            conn.Execute("SELECT pg_advisory_unlock(@LockKey)", new { LockKey });
        }
    }

    private static List<Migration> Load()
    {
        var asm = typeof(Migrator).Assembly;
        var list = new List<Migration>();
        foreach (var name in asm.GetManifestResourceNames())
        {
            var m = MigrationName().Match(name);
            if (!m.Success)
            {
                continue;
            }

            using var stream = asm.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            list.Add(new Migration(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value, reader.ReadToEnd()));
        }

        list.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migrations must be numbered 1, 2, 3 … without gaps; found V{list[i].Version:0000} at position {i + 1}.");
            }
        }

        return list;
    }

    [GeneratedRegex(@"^Migrations\.V(\d{4})__(.+)\.sql$")]
    private static partial Regex MigrationName();
}
