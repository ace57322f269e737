using System.Diagnostics;
using System.Globalization;
using Dapper;
using Npgsql;

namespace Billing.Benchmarks;

/// <summary>CPU seconds spent by this process and by the PostgreSQL server over one phase; the server's is null when it is not on this machine.</summary>
public sealed record CpuSeconds(decimal Client, decimal? Server);

/// <summary>
/// Where a phase's CPU went: this process (its total processor time) and, when the PostgreSQL server
/// runs on this machine (the embedded cluster, or a local one), the postmaster and all its processes,
/// read from /proc — the live backends' own time plus the time of those already ended, which Linux adds
/// to the postmaster's children's time when it reaps them. On two cores shared by both, this is what
/// says whether a change saved work or only moved it.
/// </summary>
public sealed class CpuMeter
{
    /// <summary>Linux reports process times in USER_HZ, fixed at 100 a second for user space.</summary>
    private const decimal TicksPerSecond = 100m;

    private readonly int? _postmaster;
    private readonly TimeSpan _client;
    private readonly long _server;

    private CpuMeter(int? postmaster)
    {
        _postmaster = postmaster;
        _client = Process.GetCurrentProcess().TotalProcessorTime;
        _server = postmaster is { } p ? ServerTicks(p) : 0;
    }

    /// <summary>Starts measuring; <paramref name="conn"/> finds the server (its backend's parent process).</summary>
    public static CpuMeter Start(NpgsqlConnection conn)
    {
        ArgumentNullException.ThrowIfNull(conn);
        return new CpuMeter(Postmaster(conn.ExecuteScalar<int>("SELECT pg_backend_pid()")));
    }

    /// <summary>The CPU seconds since <see cref="Start"/>.</summary>
    public CpuSeconds Stop() => new(
        Math.Round((decimal)(Process.GetCurrentProcess().TotalProcessorTime - _client).TotalSeconds, 2, MidpointRounding.AwayFromZero),
        _postmaster is { } p ? Math.Round((ServerTicks(p) - _server) / TicksPerSecond, 2, MidpointRounding.AwayFromZero) : null);

    /// <summary>The postmaster: the parent of our backend, when that process is here and is PostgreSQL's.</summary>
    private static int? Postmaster(int backend)
    {
        if (!OperatingSystem.IsLinux() || Stat(backend) is not { } stat || !IsPostgres(backend))
        {
            return null;
        }

        var parent = int.Parse(stat[1], CultureInfo.InvariantCulture);
        return IsPostgres(parent) ? parent : null;
    }

    private static bool IsPostgres(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim() is "postgres" or "postmaster";
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The postmaster's own and reaped children's time, plus every live child's.</summary>
    private static long ServerTicks(int postmaster)
    {
        var total = 0L;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || Stat(pid) is not { } stat)
            {
                continue;
            }

            // After "(comm)": [0] state, [1] ppid, … [11] utime, [12] stime, [13] cutime, [14] cstime.
            if (pid == postmaster)
            {
                total += Ticks(stat, 11) + Ticks(stat, 12) + Ticks(stat, 13) + Ticks(stat, 14);
            }
            else if (stat[1] == postmaster.ToString(CultureInfo.InvariantCulture))
            {
                total += Ticks(stat, 11) + Ticks(stat, 12);
            }
        }

        return total;
    }

    private static long Ticks(string[] stat, int field) => long.Parse(stat[field], CultureInfo.InvariantCulture);

    /// <summary>The fields of /proc/PID/stat after the command name (which may hold spaces), or null when the process is gone.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
