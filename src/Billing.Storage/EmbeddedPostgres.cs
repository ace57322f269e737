using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dapper;
using Npgsql;

namespace Billing.Storage;

/// <summary>
/// A private PostgreSQL cluster started from the server binaries on the machine, so a newcomer
/// needs nothing but the repository. Reuses a cluster already running in the same folder (and
/// then leaves it running); stops the one it started when disposed. As root, the server runs as
/// the <c>postgres</c> OS user (initdb refuses root).
/// </summary>
public sealed class EmbeddedPostgres : IDisposable
{
    private readonly string _bin;
    private readonly string _dataDir;
    private readonly string _runDir;
    private readonly bool _asPostgresUser;
    private bool _owned;

    private EmbeddedPostgres(string bin, string baseDir, bool asPostgresUser)
    {
        _bin = bin;
        BaseDirectory = baseDir;
        _dataDir = Path.Combine(baseDir, "pg");
        _runDir = Path.Combine(baseDir, "run");
        _asPostgresUser = asPostgresUser;
    }

    public string BaseDirectory { get; }

    public int Port { get; private set; }

    /// <summary>True when this process started the server (and so stops it).</summary>
    public bool Owned => _owned;

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = database,
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
        var pg = new EmbeddedPostgres(bin, baseDir, Environment.IsPrivilegedProcess);
        using (FileLock.Acquire(Path.Combine(baseDir, "cluster.lock"), TimeSpan.FromMinutes(2)))
        {
            pg.InitStartOrReuse(throwaway);
        }

        return pg;
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

    /// <summary>Stops the server this process started, unless other processes still use it (<paramref name="force"/>: regardless).</summary>
    public void Stop(bool force = false)
    {
        if (!_owned)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        using (FileLock.Acquire(Path.Combine(BaseDirectory, "cluster.lock"), TimeSpan.FromMinutes(2)))
        {
            // Another process (billing serve, a second command) may have started using the server we
            // started: then it keeps running, and whoever runs last on an idle server stops it.
            if (force || OtherClients() == 0)
            {
                Run("pg_ctl", ["-D", _dataDir, "-m", "fast", "-s", "-w", "stop"], check: false);
            }
        }

        _owned = false;
    }

    public void Dispose() => Stop();

    private long OtherClients()
    {
        try
        {
            using var conn = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
            conn.Open();
            return conn.ExecuteScalar<long>("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()");
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
            var (code, output) = Run("initdb", ["-D", _dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], check: false);
            if (code != 0)
            {
                throw new InvalidOperationException($"initdb failed (exit {code}) in {_dataDir}:\n{output}");
            }
        }

        if (RunningPort() is { } port)
        {
            Port = port;
            _owned = false;
            return;
        }

        PrepareDirectories();
        Port = FreePort();
        var settings = $"-c listen_addresses=127.0.0.1 -p {Port} -k {_runDir} -c max_connections=100 -c shared_buffers=256MB -c temp_buffers=64MB -c work_mem=32MB -c maintenance_work_mem=256MB -c max_wal_size=4GB -c checkpoint_timeout=15min";
        if (throwaway)
        {
            settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        }

        var log = Path.Combine(_runDir, "postgres.log");
        var (startCode, startOutput) = Run("pg_ctl", ["-D", _dataDir, "-l", log, "-s", "-w", "-t", "60", "-o", settings, "start"], check: false);
        if (startCode != 0)
        {
            var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(15)) : "";
            throw new InvalidOperationException($"PostgreSQL did not start (pg_ctl exit {startCode}): {startOutput}\nLast lines of {log}:\n{tail}");
        }

        _owned = true;
    }

    /// <summary>The port of a server already running on this data folder, from postmaster.pid.</summary>
    private int? RunningPort()
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
        return lines.Length > 3 && int.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    private void PrepareDirectories()
    {
        Directory.CreateDirectory(_dataDir);
        Directory.CreateDirectory(_runDir);
        if (_asPostgresUser)
        {
            // initdb and the server refuse to run as root: hand the folders to the postgres user.
            Exec("chown", ["-R", "postgres:postgres", _dataDir, _runDir]);
            Exec("chmod", ["755", BaseDirectory]);
        }

        Exec("chmod", ["700", _dataDir]);
    }

    private (int Code, string Output) Run(string tool, IReadOnlyList<string> args, bool check)
    {
        var exe = Path.Combine(_bin, tool);
        return _asPostgresUser
            ? Exec("runuser", ["-u", "postgres", "--", exe, .. args], check)
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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

        throw new InvalidOperationException(
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
