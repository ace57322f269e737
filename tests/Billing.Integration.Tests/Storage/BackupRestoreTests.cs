using Billing.Integration.Tests.Infrastructure;
using Billing.Storage;
using Dapper;

namespace Billing.Integration.Tests.Storage;

/// <summary>
/// docs/operations.md's backup and restore, as written there: pg_dump of a billing database over the cluster's Unix socket in
/// the custom format, pg_restore into a new database, and the restored one answers as the original did.
/// </summary>
public sealed class BackupRestoreTests : IDisposable
{
    private readonly ScratchDatabase _original = new();
    private readonly TempDir _work = new();
    private readonly string _restored = "r_" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        TestCluster.Instance.DropDatabase(_restored);
        _original.Dispose();
        _work.Dispose();
    }

    [Fact]
    public void A_pg_dump_of_the_demo_restored_into_a_new_database_holds_the_same_rows_and_reconciles_as_the_original()
    {
        var demo = BillingProcess.Run(_work.Path, "demo", "--samples", Repo.SampleCdrs, "--db", _original.Db.ConnectionString);
        Assert.True(demo.Exit == 0, $"exit {demo.Exit}: {demo.Err}");
        var bin = EmbeddedPostgres.FindBinaries();
        var socket = TestCluster.Instance.SocketDirectory;
        var dump = _work.File("billing.dump");

        var dumped = ProgramRun.Run(Path.Combine(bin, "pg_dump"), ["-h", socket, "-U", "postgres", "-Fc", "-f", dump, _original.Name], _work.Path, TimeSpan.FromMinutes(5));
        Assert.True(dumped.Exit == 0, $"pg_dump: {dumped.Err}");
        var created = ProgramRun.Run(Path.Combine(bin, "createdb"), ["-h", socket, "-U", "postgres", _restored], _work.Path, TimeSpan.FromMinutes(1));
        Assert.True(created.Exit == 0, $"createdb: {created.Err}");
        var restored = ProgramRun.Run(Path.Combine(bin, "pg_restore"), ["-h", socket, "-U", "postgres", "--no-owner", "--exit-on-error", "-d", _restored, dump], _work.Path, TimeSpan.FromMinutes(5));
        Assert.True(restored.Exit == 0, $"pg_restore: {restored.Err}");

        var restoredDb = TestCluster.Instance.ConnectionString(_restored);
        Assert.Equal(Counts(_original.Db.ConnectionString), Counts(restoredDb));
        Assert.Equal(10L, Counts(restoredDb)["invoices"]);

        // The restored database is current (no migration to apply) and reconciles November exactly as the original does.
        var migrate = BillingProcess.Run(_work.Path, "db", "migrate", "--db", restoredDb);
        var before = BillingProcess.Run(_work.Path, "reconcile", "--cycle-end", "2026-12-01", "--db", _original.Db.ConnectionString);
        var after = BillingProcess.Run(_work.Path, "reconcile", "--cycle-end", "2026-12-01", "--db", restoredDb);

        Assert.StartsWith("Schema is up to date at version ", migrate.Out, StringComparison.Ordinal);
        Assert.True(after.Exit == 0, $"exit {after.Exit}: {after.Out}{after.Err}");
        Assert.Contains("Reconciled: every record of every file is accounted for", after.Out, StringComparison.Ordinal);
        Assert.Equal(before.Out, after.Out);
    }

    /// <summary>Rows per table of what billing keeps (Hangfire's schema too), and the money the ledgers hold.</summary>
    private static Dictionary<string, long> Counts(string connectionString)
    {
        using var db = BillingDatabase.Connect(connectionString);
        using var c = db.Open();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in (string[])["cdr_files", "usage", "suspense", "accounts", "subscriptions", "catalog_versions", "rated_charges", "rating_holds",
                     "wallets", "wallet_ledger", "prepaid_overdraft", "notifications", "bill_runs", "invoices", "invoice_lines", "payments", "allocations",
                     "dunning_actions", "documents", "portal_users", "schema_migrations"])
        {
            // The names come from the list above, never from input.
            counts[table] = c.ExecuteScalar<long>($"SELECT count(*) FROM {table}");
        }

        counts["invoice totals (minor units)"] = c.ExecuteScalar<long>("SELECT coalesce(sum(total * 100), 0)::bigint FROM invoices");
        counts["wallet balances (micro units)"] = c.ExecuteScalar<long>("SELECT coalesce(sum(balance * 1000000), 0)::bigint FROM wallets");
        return counts;
    }
}
