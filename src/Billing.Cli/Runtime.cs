using System.Runtime.InteropServices;
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
    private StopOnSignal? _signals;

    private Runtime(BillingConfig config, BillingDatabase db, EmbeddedPostgres? embedded, StopOnSignal? signals, string where)
    {
        Config = config;
        Db = db;
        _embedded = embedded;
        _signals = signals;
        Where = where;
        Jobs = new JobFactory(db, config, NodaTime.SystemClock.Instance);
    }

    public BillingConfig Config { get; }

    public BillingDatabase Db { get; }

    public string Where { get; }

    /// <summary>The jobs, built against this runtime's database and configuration.</summary>
    public JobFactory Jobs { get; }

    public Migrator.MigrationReport Migration { get; private init; } = new(0, 0, []);

    public EmbeddedPostgres? Embedded => _embedded;

    public static Runtime Start(GlobalOptions global, string database = "billing", bool freshDatabase = false)
    {
        ArgumentNullException.ThrowIfNull(global);
        var config = BillingConfig.Load(global.ConfigPath);
        var connectionString = global.Db ?? Environment.GetEnvironmentVariable("BILLING_DB");
        EmbeddedPostgres? embedded = null;
        StopOnSignal? signals = null;
        string where;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            // BILLING_DATABASE picks the embedded cluster's database, e.g. billing_demo to look at what the demo did.
            if (database == "billing" && Environment.GetEnvironmentVariable("BILLING_DATABASE") is { Length: > 0 } named)
            {
                database = named;
            }

            embedded = EmbeddedPostgres.Start(Path.Combine(config.StateDirectory, "postgres"));
            signals = new StopOnSignal(embedded);
            if (freshDatabase)
            {
                embedded.DropDatabase(database);
            }

            embedded.EnsureDatabase(database);
            connectionString = embedded.ConnectionString(database);
            where = $"embedded PostgreSQL in {embedded.BaseDirectory} (private: Unix socket only{(embedded.StartedNow ? "" : ", already running")}), database {database}";
        }
        else
        {
            var source = global.Db is null ? "BILLING_DB" : "--db";
            where = "PostgreSQL from " + source;
            Parse(connectionString, source);
            connectionString = WithPasswordFile(connectionString, Environment.GetEnvironmentVariable(DbPasswordFileVariable));
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
            signals?.Dispose();
            embedded?.Dispose();
            throw new UserErrorException($"The schema migration failed ({where}): {e.MessageText} — nothing of it was applied.");
        }
        catch (Npgsql.NpgsqlException e)
        {
            db.Dispose();
            signals?.Dispose();
            embedded?.Dispose();
            throw new DatabaseUnavailableException($"Cannot reach the database ({where}): {e.Message}", e);
        }

        return new Runtime(config, db, embedded, signals, where) { Migration = migration };
    }

    /// <summary>
    /// Refuses a connection string Npgsql cannot read (an unknown keyword, a value of the wrong type, a malformed pair) in one
    /// line naming where it came from; the string itself is not repeated, a password may be in it.
    /// </summary>
    private static void Parse(string connectionString, string source)
    {
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            var why = e.InnerException switch
            {
                KeyNotFoundException => $"keyword '{e.ParamName}' is not supported",
                { } inner => $"{e.ParamName}: {inner.Message}",
                null => e.Message,
            };
            throw new UserErrorException($"the connection string from {source} is not valid: {why}");
        }
    }

    /// <summary>The environment variable naming a file that holds the database password (its first line), for a connection string without one.</summary>
    public const string DbPasswordFileVariable = "BILLING_DB_PASSWORD_FILE";

    /// <summary>
    /// The connection string with the password of <paramref name="passwordFile"/> (its first line) when it has none
    /// of its own: the password then lives in a file outside the repository and out of the process list.
    /// </summary>
    public static string WithPasswordFile(string connectionString, string? passwordFile)
    {
        if (string.IsNullOrEmpty(passwordFile))
        {
            return connectionString;
        }

        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(builder.Password))
        {
            return connectionString;
        }

        try
        {
            builder.Password = File.ReadLines(passwordFile).FirstOrDefault()?.TrimEnd('\r')
                ?? throw new UserErrorException($"{DbPasswordFileVariable}: {passwordFile} is empty");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"{DbPasswordFileVariable}: cannot read {passwordFile}: {e.Message}");
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// For a host that stops gracefully on SIGINT and SIGTERM itself (the web host) and then disposes
    /// this runtime: from now on the signals are its to handle.
    /// </summary>
    public void LeaveSignalsToHost()
    {
        _signals?.Dispose();
        _signals = null;
    }

    public void Dispose()
    {
        _signals?.WaitIfStopping();
        _signals?.Dispose();
        Db.Dispose();
        _embedded?.Dispose();
    }

    public static void ConfigureLogging(bool verbose, bool server, string stateDirectory, bool unmaskMsisdns = false)
    {
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Is(Environment.GetEnvironmentVariable("BILLING_LOG_LEVEL") is { } level && Enum.TryParse<LogEventLevel>(level, true, out var l) ? l : LogEventLevel.Information)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Hangfire", LogEventLevel.Information)
            // serve keeps its antiforgery keys in memory (InMemoryKeyRing): the warning that they are not encrypted at rest does not apply.
            .MinimumLevel.Override("Microsoft.AspNetCore.DataProtection", LogEventLevel.Error)
            .Enrich.FromLogContext()
            // After the log context: its properties are masked too.
            .Enrich.With(unmaskMsisdns ? [] : [new MsisdnMasking()])
            .WriteTo.Console(
                restrictedToMinimumLevel: verbose || server ? LogEventLevel.Verbose : LogEventLevel.Error,
                standardErrorFromLevel: LogEventLevel.Verbose,
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(new CompactJsonFormatter(), Path.Combine(LogFolder(stateDirectory), "billing-.json"),
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 30, hooks: new OwnerOnlyLogFiles())
            .CreateLogger();
    }

    /// <summary>
    /// The log folder, created 0700: logs hold account ids, sign-in names and (with logging.unmaskMsisdns) whole numbers,
    /// so they are private like the rest of the state (the cluster, documents, notification files).
    /// </summary>
    private static string LogFolder(string stateDirectory)
    {
        var folder = Path.Combine(stateDirectory, "logs");
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return folder;
    }

    /// <summary>Each log file the sink opens is readable by its owner only (0600).</summary>
    private sealed class OwnerOnlyLogFiles : Serilog.Sinks.File.FileLifecycleHooks
    {
        public override Stream OnFileOpened(string path, Stream underlyingStream, System.Text.Encoding encoding)
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            return underlyingStream;
        }
    }
}

/// <summary>
/// Ctrl-C (SIGINT) or SIGTERM during a command: the command's transactions roll back, so the way
/// out is to stop (or let go of) the embedded cluster at once and exit 128 + the signal number,
/// instead of dying and leaving the server running. Whatever the interrupted command does meanwhile
/// (its connections fail) waits for that exit.
/// </summary>
internal sealed class StopOnSignal : IDisposable
{
    private readonly EmbeddedPostgres _cluster;
    private readonly PosixSignalRegistration[] _registrations;
    private int _stopping;

    public StopOnSignal(EmbeddedPostgres cluster)
    {
        _cluster = cluster;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
        AppDomain.CurrentDomain.UnhandledException += WaitOnUnhandled;
    }

    /// <summary>On the command's own thread: if a signal is being handled, the handler ends the process; wait for it.</summary>
    public void WaitIfStopping()
    {
        if (Volatile.Read(ref _stopping) == 1)
        {
            Thread.Sleep(Timeout.Infinite);
        }
    }

    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }

        AppDomain.CurrentDomain.UnhandledException -= WaitOnUnhandled;
    }

    private void WaitOnUnhandled(object? sender, UnhandledExceptionEventArgs e) => WaitIfStopping();

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Exchange(ref _stopping, 1) == 1)
        {
            return;
        }

        var (name, number) = context.Signal == PosixSignal.SIGINT ? ("SIGINT", 2) : ("SIGTERM", 15);
        try
        {
            Console.Error.WriteLine($"billing: {name}: stopping; the embedded PostgreSQL stops too unless another billing process uses it.");
            _cluster.Stop();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"billing: could not stop the embedded PostgreSQL in {_cluster.BaseDirectory}: {e.Message}");
        }
        finally
        {
            Log.CloseAndFlush();
            Environment.Exit(128 + number);
        }
    }
}

public sealed record GlobalOptions(string? Db, string? ConfigPath, bool Verbose, bool Json);
