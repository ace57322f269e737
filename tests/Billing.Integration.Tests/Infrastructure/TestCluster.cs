using Billing.Storage;
using Dapper;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL cluster per test run, started from the machine's server binaries the
/// same way the embedded default is, stopped and deleted when the test process exits.
/// </summary>
public static class TestCluster
{
    private static readonly Lazy<EmbeddedPostgres> Cluster = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static EmbeddedPostgres Instance => Cluster.Value;

    private static readonly Lazy<string> Migrated = new(CreateMigratedTemplate, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// A new empty database on the cluster, migrated to the latest schema: a copy of one database migrated once per test
    /// run (the same migrations, run the same way, on the same empty database), instead of every test running all of them
    /// again. <paramref name="migrate"/> false: an empty database, as PostgreSQL creates it.
    /// </summary>
    public static (BillingDatabase Db, string Name) CreateDatabase(bool migrate = true)
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..12];
        if (migrate)
        {
            CreateDatabase(name, Migrated.Value);
        }
        else
        {
            Instance.EnsureDatabase(name);
        }

        return (BillingDatabase.Connect(Instance.ConnectionString(name)), name);
    }

    private static void CreateDatabase(string name, string template)
    {
        using var conn = new Npgsql.NpgsqlConnection(Instance.ConnectionString("postgres"));
        conn.Open();
        conn.Execute($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
    }

    /// <summary>An empty database migrated to the latest schema, then closed to connections: copied by <see cref="CreateDatabase(bool)"/>.</summary>
    private static string CreateMigratedTemplate()
    {
        var name = "t_migrated_" + Guid.NewGuid().ToString("N")[..12];
        Instance.EnsureDatabase(name);
        // No pool: a copy needs the template without a session, and a pooled connection would stay open on it.
        using (var db = BillingDatabase.Connect(new Npgsql.NpgsqlConnectionStringBuilder(Instance.ConnectionString(name)) { Pooling = false }.ToString()))
        {
            Migrator.Migrate(db);
        }

        using var conn = new Npgsql.NpgsqlConnection(Instance.ConnectionString("postgres"));
        conn.Open();
        conn.Execute($"ALTER DATABASE \"{name}\" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
        return name;
    }

    private const string Prefix = "billing-tests-";

    private static EmbeddedPostgres Start()
    {
        SweepAbandoned();
        var dir = Path.Combine(Path.GetTempPath(), $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
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

    /// <summary>
    /// Deletes the clusters of test runs that were killed (a test host stopped by a timeout never runs its exit
    /// handler): a folder whose test process is gone and whose server, if it left a postmaster.pid, is gone too.
    /// Each run left a hundred megabytes or more behind.
    /// </summary>
    private static void SweepAbandoned()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var owner = Path.GetFileName(dir)[Prefix.Length..].Split('-')[0];
            if (!int.TryParse(owner, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
                || Alive(pid) || ServerStillRunning(dir))
            {
                continue;
            }

            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // best effort: another run may be sweeping it too
            }
        }
    }

    private static bool ServerStillRunning(string dir)
    {
        var pidFile = Path.Combine(dir, "pg", "postmaster.pid");
        try
        {
            return File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var server) && Alive(server);
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static bool Alive(int pid) => Directory.Exists($"/proc/{pid}") || !OperatingSystem.IsLinux();
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
