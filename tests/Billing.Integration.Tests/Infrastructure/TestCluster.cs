using Billing.Storage;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL cluster per test run, started from the machine's server binaries the
/// same way the embedded default is, stopped and deleted when the test process exits.
/// </summary>
public static class TestCluster
{
    private static readonly Lazy<EmbeddedPostgres> Cluster = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static EmbeddedPostgres Instance => Cluster.Value;

    /// <summary>A new empty database on the cluster, migrated to the latest schema.</summary>
    public static (BillingDatabase Db, string Name) CreateDatabase(bool migrate = true)
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..12];
        Instance.EnsureDatabase(name);
        var db = BillingDatabase.Connect(Instance.ConnectionString(name));
        if (migrate)
        {
            Migrator.Migrate(db);
        }

        return (db, name);
    }

    private static EmbeddedPostgres Start()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"billing-tests-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var pg = EmbeddedPostgres.Start(dir, throwaway: true);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            pg.Stop(force: true);
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // best effort: a temp folder
            }
            catch (UnauthorizedAccessException)
            {
                // best effort
            }
        };
        return pg;
    }
}

/// <summary>A database per test class (xUnit class fixture), dropped afterwards.</summary>
public sealed class DatabaseFixture : IDisposable
{
    public DatabaseFixture() => (Db, Name) = TestCluster.CreateDatabase();

    public BillingDatabase Db { get; }

    public string Name { get; }

    public string ConnectionString => Db.ConnectionString;

    public void Dispose()
    {
        Db.Dispose();
        Npgsql.NpgsqlConnection.ClearAllPools();
        TestCluster.Instance.DropDatabase(Name);
    }
}
