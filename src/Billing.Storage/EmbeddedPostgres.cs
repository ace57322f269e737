using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;

namespace Billing.Storage;

/// <summary>
/// A private PostgreSQL cluster started from the server binaries on the machine, so a newcomer
/// needs nothing but the repository. Private means: no TCP at all (<c>listen_addresses = ''</c>, no
/// <c>host</c> line in pg_hba.conf), a Unix socket in a folder only the server's OS user can enter
/// (mode 0700, the socket itself 0700), and peer authentication for that user and root only. As root,
/// the server runs as the <c>postgres</c> OS user (initdb refuses root), which owns the folders; root
/// reaches the socket anyway. Every process using the cluster holds a shared lock on
/// <c>clients.lock</c>; the last one to let go stops the server, whoever started it — so a cluster
/// left behind by a killed process is reused and then stopped by the next command.
/// </summary>
public sealed class EmbeddedPostgres : IDisposable
{
    /// <summary>The socket is <c>.s.PGSQL.5432</c> in a folder of its own: no TCP port is taken, so the usual number is fine.</summary>
    private const int SocketPort = 5432;

    /// <summary>A socket path fits in 107 bytes (sun_path with its NUL); the file name takes 15 of them.</summary>
    private const int MaxSocketDirectoryLength = 107 - 15;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _bin;
    private readonly string _dataDir;
    private readonly string _runDir;
    private readonly string? _runAs;
    private readonly Lock _gate = new();
    private FileStream? _inUse;

    private EmbeddedPostgres(string bin, string baseDir, string? runAs)
    {
        _bin = bin;
        BaseDirectory = baseDir;
        _dataDir = Path.Combine(baseDir, "pg");
        _runDir = Path.Combine(baseDir, "run");
        _runAs = runAs;
    }

    public string BaseDirectory { get; }

    /// <summary>The folder holding the server's Unix socket (mode 0700).</summary>
    public string SocketDirectory { get; private set; } = "";

    /// <summary>True when this process started the server; false when it found it running.</summary>
    public bool StartedNow { get; private set; }

    /// <summary>Our connections carry it, so that "other clients" means other processes.</summary>
    private static string ApplicationName => $"billing-{Environment.ProcessId}";

    private string ClientsLockPath => Path.Combine(BaseDirectory, "clients.lock");

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = SocketDirectory,
            Port = SocketPort,
            Username = "postgres",
            Database = database,
            ApplicationName = ApplicationName,
            Pooling = true,
            MaxPoolSize = 50,
            Timeout = 30,
            CommandTimeout = 0,
            IncludeErrorDetail = true,
        }.ConnectionString;

    /// <summary>
    /// Starts (or reuses) the cluster under <paramref name="baseDir"/>. <paramref name="throwaway"/>
    /// trades durability for speed (fsync off): for test clusters only.
    /// </summary>
    public static EmbeddedPostgres Start(string baseDir, bool throwaway = false)
    {
        var bin = FindBinaries();
        baseDir = Path.GetFullPath(baseDir);
        Directory.CreateDirectory(baseDir);
        using (FileLock.Acquire(Path.Combine(baseDir, "cluster.lock"), TimeSpan.FromMinutes(2)))
        {
            var pg = new EmbeddedPostgres(bin, baseDir, ServerUser(Path.Combine(baseDir, "pg")));
            pg.InitStartOrReuse(throwaway);
            pg._inUse = new FileStream(pg.ClientsLockPath, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
            return pg;
        }
    }

    /// <summary>Creates the database if it does not exist yet.</summary>
    public void EnsureDatabase(string database)
    {
        using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        conn.Open();
        if (conn.ExecuteScalar<int?>("SELECT 1 FROM pg_database WHERE datname = @database", new { database }) is null)
        {
            try
            {
                conn.Execute($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // another process created it first
            }
        }
    }

    public void DropDatabase(string database)
    {
        using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        conn.Open();
        conn.Execute($"DROP DATABASE IF EXISTS \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\" WITH (FORCE)");
    }

    /// <summary>
    /// Lets go of the cluster and stops the server when no other billing process holds it and no
    /// other client is connected (<paramref name="force"/>: regardless). Safe to call twice and from
    /// a signal handler while the process's own connections are still busy: those are not counted.
    /// </summary>
    public void Stop(bool force = false)
    {
        lock (_gate)
        {
            if (_inUse is null)
            {
                return;
            }

            NpgsqlConnection.ClearAllPools();
            using (FileLock.Acquire(Path.Combine(BaseDirectory, "cluster.lock"), TimeSpan.FromMinutes(2)))
            {
                _inUse.Dispose();
                _inUse = null;
                if (force || (NoOtherBillingProcess() && OtherClients() == 0))
                {
                    Run("pg_ctl", ["-D", _dataDir, "-m", "fast", "-s", "-w", "stop"], check: false);
                    if (SocketDirectory != _runDir)
                    {
                        TryDelete(SocketDirectory);
                    }
                }
            }
        }
    }

    public void Dispose() => Stop();

    /// <summary>True when no other process holds its shared lock on clients.lock (a killed process holds none).</summary>
    private bool NoOtherBillingProcess()
    {
        try
        {
            using var exclusive = new FileStream(ClientsLockPath, FileMode.OpenOrCreate, FileAccess.Read, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private long OtherClients()
    {
        try
        {
            using var conn = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
            conn.Open();
            return conn.ExecuteScalar<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND application_name <> @mine",
                new { mine = ApplicationName });
        }
        catch (NpgsqlException)
        {
            return 0; // not reachable: nothing to protect
        }
    }

    private void InitStartOrReuse(bool throwaway)
    {
        if (!File.Exists(Path.Combine(_dataDir, "PG_VERSION")))
        {
            PrepareDirectories();
            var (code, output) = Run("initdb", ["-D", _dataDir, "-U", "postgres", "--auth-local=peer", "--auth-host=reject", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], check: false);
            if (code != 0)
            {
                throw new DatabaseUnavailableException($"initdb failed (exit {code}) in {_dataDir}:\n{output}");
            }
        }

        if (RunningServer() is { } running)
        {
            if (running.Private)
            {
                SocketDirectory = running.SocketDirectory;
                StartedNow = false;
                return;
            }

            // Started by an earlier version: listening on TCP with trust. Not private: restart it.
            Run("pg_ctl", ["-D", _dataDir, "-m", "fast", "-s", "-w", "stop"], check: false);
        }

        PrepareDirectories();
        SocketDirectory = NewSocketDirectory();
        WriteConfiguration(throwaway);
        var log = Path.Combine(_runDir, "postgres.log");
        var (startCode, startOutput) = Run("pg_ctl", ["-D", _dataDir, "-l", log, "-s", "-w", "-t", "60", "start"], check: false);
        if (startCode != 0)
        {
            var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(15)) : "";
            throw new DatabaseUnavailableException($"PostgreSQL did not start (pg_ctl exit {startCode}): {startOutput}\nLast lines of {log}:\n{tail}");
        }

        StartedNow = true;
    }

    /// <summary>The server already running on this data folder, from postmaster.pid (lines: pid, data, start, port, socket folder, listen address, …).</summary>
    private (string SocketDirectory, bool Private)? RunningServer()
    {
        var pidFile = Path.Combine(_dataDir, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var (code, _) = Run("pg_ctl", ["-D", _dataDir, "status"], check: false);
        if (code != 0)
        {
            return null;
        }

        var lines = File.ReadAllLines(pidFile);
        if (lines.Length < 6)
        {
            return null;
        }

        var socketDirectory = lines[4].Trim();
        var isPrivate = lines[5].Trim().Length == 0
            && lines[3].Trim() == SocketPort.ToString(CultureInfo.InvariantCulture)
            && Directory.Exists(socketDirectory)
            && new DirectoryInfo(socketDirectory).LinkTarget is null
            && (OperatingSystem.IsWindows() || File.GetUnixFileMode(socketDirectory) == OwnerOnly);
        return (socketDirectory, isPrivate);
    }

    private void PrepareDirectories()
    {
        Directory.CreateDirectory(_dataDir);
        Directory.CreateDirectory(_runDir);

        // The server's user must pass through the base folder to reach its own; nobody else needs to list it.
        SetMode(BaseDirectory, _runAs is null ? OwnerOnly : OwnerOnly | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        if (_runAs is not null)
        {
            // initdb and the server refuse to run as root: hand the folders to the server's user.
            Exec("chown", ["-R", _runAs + ":", _dataDir, _runDir]);
        }

        SetMode(_dataDir, OwnerOnly);
        SetMode(_runDir, OwnerOnly);
    }

    /// <summary>
    /// run/ beside the data, unless its path is too long for a socket: then a fresh folder of random
    /// name in the temp folder (created 0700, so nobody can have prepared it), found again through
    /// postmaster.pid and removed when the server stops.
    /// </summary>
    private string NewSocketDirectory()
    {
        if (_runDir.Length <= MaxSocketDirectoryLength)
        {
            return _runDir;
        }

        var dir = Directory.CreateTempSubdirectory("billing-pg-").FullName;
        if (dir.Length > MaxSocketDirectoryLength || dir.Contains(',', StringComparison.Ordinal))
        {
            TryDelete(dir);
            throw new DatabaseUnavailableException($"No short enough folder for the embedded PostgreSQL's socket ({_runDir} and {dir} are too long): set TMPDIR to a short path, or use --db or BILLING_DB.");
        }

        if (_runAs is not null)
        {
            Exec("chown", [_runAs + ":", dir]);
        }

        SetMode(dir, OwnerOnly);
        return dir;
    }

    /// <summary>
    /// The settings that make the cluster private, written before every start (an older cluster
    /// gets them too): no TCP, the socket in its folder, peer authentication for the server's OS
    /// user and root only, and no <c>host</c> line at all.
    /// </summary>
    private void WriteConfiguration(bool throwaway)
    {
        if (SocketDirectory.Contains(',', StringComparison.Ordinal))
        {
            throw new DatabaseUnavailableException($"The embedded PostgreSQL's socket folder {SocketDirectory} contains a comma; PostgreSQL reads it as a list. Use a state directory without one, or --db.");
        }

        var settings = new StringBuilder()
            .AppendLine("# Written by billing before every start: the embedded cluster is private. Changes here are overwritten.")
            .AppendLine("listen_addresses = ''")
            .AppendLine(CultureInfo.InvariantCulture, $"port = {SocketPort}")
            .AppendLine(CultureInfo.InvariantCulture, $"unix_socket_directories = '{SocketDirectory.Replace("'", "''", StringComparison.Ordinal)}'")
            .AppendLine("unix_socket_permissions = 0700")
            .AppendLine("max_connections = 100")
            .AppendLine("shared_buffers = 256MB")
            .AppendLine("temp_buffers = 64MB")
            .AppendLine("work_mem = 32MB")
            .AppendLine("maintenance_work_mem = 256MB")
            .AppendLine("max_wal_size = 4GB")
            .AppendLine("checkpoint_timeout = 15min")
            .AppendLine("wal_buffers = 64MB");
        if (throwaway)
        {
            settings.AppendLine("fsync = off").AppendLine("synchronous_commit = off").AppendLine("full_page_writes = off");
        }

        WriteServerFile("billing.conf", settings.ToString());
        WriteServerFile("pg_hba.conf", "# Written by billing: Unix socket only, peer authentication mapped in pg_ident.conf; no host lines.\nlocal all all peer map=billing\n");
        var serverUser = _runAs ?? Environment.UserName;
        WriteServerFile("pg_ident.conf", $"# Written by billing: the OS users that may connect, as the postgres role.\nbilling {serverUser} postgres\nbilling root postgres\n");

        const string Include = "include 'billing.conf'";
        var main = Path.Combine(_dataDir, "postgresql.conf");
        if (!File.ReadLines(main).Any(l => l.Trim() == Include))
        {
            File.AppendAllText(main, $"\n{Include}\n");
        }
    }

    private void WriteServerFile(string name, string text)
    {
        var path = Path.Combine(_dataDir, name);
        File.WriteAllText(path, text);
        SetMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (_runAs is not null)
        {
            Exec("chown", [_runAs + ":", path]);
        }
    }

    /// <summary>
    /// Null: run the binaries as ourselves. As root: the owner of an existing data folder (a cluster a
    /// user made stays that user's), else <c>postgres</c>.
    /// </summary>
    private static string? ServerUser(string dataDir)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return null;
        }

        if (File.Exists(Path.Combine(dataDir, "PG_VERSION")))
        {
            var (code, owner) = Exec("stat", ["-c", "%U", dataDir], check: false);
            if (code == 0 && owner.Length > 0 && owner != "root" && owner != "UNKNOWN")
            {
                return owner;
            }
        }

        return "postgres";
    }

    /// <summary>The cluster needs Unix (runuser, a Unix socket); the guard keeps the analyzer's platform check honest.</summary>
    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir);
        }
        catch (IOException)
        {
            // not empty or gone: left for the temp folder's cleaner
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private (int Code, string Output) Run(string tool, IReadOnlyList<string> args, bool check)
    {
        var exe = Path.Combine(_bin, tool);
        return _runAs is not null
            ? Exec("runuser", ["-u", _runAs, "--", exe, .. args], check)
            : Exec(exe, args, check);
    }

    private static (int Code, string Output) Exec(string file, IReadOnlyList<string> args, bool check = true)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // pg_ctl start leaves the server running with our pipes inherited unless its output goes
        // to the log file (-l), which it does; read both pipes concurrently to avoid a deadlock.
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        var output = (stdout.Result + stderr.Result).Trim();
        if (check && p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed (exit {p.ExitCode}): {output}");
        }

        return (p.ExitCode, output);
    }

    /// <summary>The folder with initdb and pg_ctl: PATH first, then /usr/lib/postgresql/&lt;newest&gt;/bin.</summary>
    public static string FindBinaries()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                // /usr/local/bin/initdb may be a link: resolve to the real bin folder so pg_ctl finds postgres.
                var real = new FileInfo(Path.Combine(dir, "pg_ctl")).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
                return real is null ? dir : Path.GetDirectoryName(real)!;
            }
        }

        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var newest = Directory.GetDirectories(root)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(x => File.Exists(Path.Combine(x.Dir, "bin", "initdb")))
                .OrderByDescending(x => x.Version)
                .FirstOrDefault();
            if (newest.Dir is not null)
            {
                return Path.Combine(newest.Dir, "bin");
            }
        }

        throw new DatabaseUnavailableException(
            "No PostgreSQL server binaries (initdb, pg_ctl) were found on PATH or in /usr/lib/postgresql/*/bin. " +
            "Install them (Debian/Ubuntu: sudo apt-get install -y postgresql; Fedora: sudo dnf install postgresql-server; " +
            "macOS: brew install postgresql), or point billing at an existing server with --db or BILLING_DB.");
    }
}

/// <summary>An exclusive lock on a file, held across processes while a cluster is being started.</summary>
internal sealed class FileLock(FileStream stream) : IDisposable
{
    public static FileLock Acquire(string path, TimeSpan timeout)
    {
        var until = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (until.Elapsed < timeout)
            {
                Thread.Sleep(100);
            }
        }
    }

    public void Dispose() => stream.Dispose();
}
