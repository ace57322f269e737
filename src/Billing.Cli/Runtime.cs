using Billing.Storage;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Billing.Cli;

/// <summary>
/// What a command runs against: the database (from --db, BILLING_DB, or the embedded cluster under
/// the state directory, started now and stopped at the end), migrated, and the configuration.
/// </summary>
public sealed class Runtime : IDisposable
{
    private readonly EmbeddedPostgres? _embedded;

    private Runtime(BillingConfig config, BillingDatabase db, EmbeddedPostgres? embedded, string where)
    {
        Config = config;
        Db = db;
        _embedded = embedded;
        Where = where;
    }

    public BillingConfig Config { get; }

    public BillingDatabase Db { get; }

    public string Where { get; }

    public Migrator.MigrationReport Migration { get; private init; } = new(0, 0, []);

    public EmbeddedPostgres? Embedded => _embedded;

    public static Runtime Start(GlobalOptions global, string database = "billing", bool freshDatabase = false)
    {
        ArgumentNullException.ThrowIfNull(global);
        var config = BillingConfig.Load(global.ConfigPath);
        var connectionString = global.Db ?? Environment.GetEnvironmentVariable("BILLING_DB");
        EmbeddedPostgres? embedded = null;
        string where;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            // BILLING_DATABASE picks the embedded cluster's database, e.g. billing_demo to look at what the demo did.
            if (database == "billing" && Environment.GetEnvironmentVariable("BILLING_DATABASE") is { Length: > 0 } named)
            {
                database = named;
            }

            embedded = EmbeddedPostgres.Start(Path.Combine(config.StateDirectory, "postgres"));
            if (freshDatabase)
            {
                embedded.DropDatabase(database);
            }

            embedded.EnsureDatabase(database);
            connectionString = embedded.ConnectionString(database);
            where = $"embedded PostgreSQL in {embedded.BaseDirectory} (port {embedded.Port}{(embedded.Owned ? "" : ", already running")}), database {database}";
        }
        else
        {
            where = "PostgreSQL from " + (global.Db is null ? "BILLING_DB" : "--db");
        }

        var db = BillingDatabase.Connect(connectionString);
        Migrator.MigrationReport migration;
        try
        {
            migration = Migrator.Migrate(db);
        }
        catch (Npgsql.PostgresException e)
        {
            db.Dispose();
            embedded?.Dispose();
            throw new UserErrorException($"The schema migration failed ({where}): {e.MessageText} — nothing of it was applied.");
        }
        catch (Npgsql.NpgsqlException e)
        {
            db.Dispose();
            embedded?.Dispose();
            throw new UserErrorException($"Cannot reach the database ({where}): {e.Message}");
        }

        return new Runtime(config, db, embedded, where) { Migration = migration };
    }

    public void Dispose()
    {
        Db.Dispose();
        _embedded?.Dispose();
    }

    public static void ConfigureLogging(bool verbose, bool server, string stateDirectory)
    {
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Is(Environment.GetEnvironmentVariable("BILLING_LOG_LEVEL") is { } level && Enum.TryParse<LogEventLevel>(level, true, out var l) ? l : LogEventLevel.Information)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Hangfire", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .WriteTo.Console(
                restrictedToMinimumLevel: verbose || server ? LogEventLevel.Verbose : LogEventLevel.Error,
                standardErrorFromLevel: LogEventLevel.Verbose,
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(new CompactJsonFormatter(), Path.Combine(stateDirectory, "logs", "billing-.json"),
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 30)
            .CreateLogger();
    }
}

public sealed record GlobalOptions(string? Db, string? ConfigPath, bool Verbose, bool Json);
