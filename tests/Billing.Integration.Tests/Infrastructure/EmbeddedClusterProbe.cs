using System.Diagnostics;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>
/// Looks at the embedded cluster a <c>billing</c> process runs under <c>WORK/.billing/postgres</c>
/// from outside, as an operator would: postmaster.pid, the server process, psql.
/// </summary>
public sealed class EmbeddedClusterProbe(string workDir)
{
    public string BaseDirectory { get; } = Path.Combine(workDir, ".billing", "postgres");

    public string PidFile => Path.Combine(BaseDirectory, "pg", "postmaster.pid");

    /// <summary>postmaster.pid's lines: pid, data folder, start time, port, socket folder, listen address, shared memory key, status.</summary>
    public IReadOnlyList<string> PidFileLines() => File.Exists(PidFile) ? File.ReadAllLines(PidFile) : [];

    /// <summary>The server's process id while postmaster.pid says it is ready.</summary>
    public int? ReadyServer()
    {
        var lines = PidFileLines();
        return lines.Count >= 8 && lines[7].Trim() == "ready" && int.TryParse(lines[0], out var pid) ? pid : null;
    }

    public static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            return File.Exists(stat) && !File.ReadAllText(stat).Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false; // gone while reading
        }
    }

    /// <summary>Waits until the server process has ended and removed postmaster.pid.</summary>
    public void WaitUntilStopped(int pid, string what) =>
        Wait.Until(() => !IsAlive(pid) && !File.Exists(PidFile), what);

    /// <summary>
    /// psql's arguments to reach this server the way its owner does: the socket folder and port
    /// from postmaster.pid, and the TCP address too if it listens on one.
    /// </summary>
    public IReadOnlyList<(string Host, string Port)> Endpoints()
    {
        var lines = PidFileLines();
        var endpoints = new List<(string, string)> { (lines[4].Trim(), lines[3].Trim()) };
        foreach (var address in lines[5].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            endpoints.Add((address is "*" or "0.0.0.0" ? "127.0.0.1" : address, lines[3].Trim()));
        }

        return endpoints;
    }

    /// <summary>After a failed test: a fast shutdown of a server still running (SIGINT to the postmaster), so nothing is left behind.</summary>
    public void StopLeftover()
    {
        if (PidFileLines() is [var first, ..] && int.TryParse(first, out var pid) && IsAlive(pid))
        {
            OsUser.Exec("kill", ["-INT", first]);
            Wait.Until(() => !IsAlive(pid), "the leftover server to stop");
        }
    }

    /// <summary>psql's arguments for one query as the postgres role: no password prompt, no psqlrc, bare output.</summary>
    public static string[] PsqlArgs(string host, string port, string sql) =>
        ["-X", "-w", "-A", "-t", "-h", host, "-p", port, "-U", "postgres", "-d", "postgres", "-c", sql];

    public static void Signal(Process process, string signal) =>
        Assert.Equal(0, OsUser.Exec("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).Exit);
}

/// <summary>
/// A <c>billing accounts import</c> blocked mid-command on its input, a FIFO the test holds open: by
/// the time the command opens it, it has started (or joined) the embedded cluster, migrated, and
/// stands still there until the test signals or kills it.
/// </summary>
public sealed class BlockedCommand : IDisposable
{
    private readonly string _fifo;
    private readonly Task<FileStream> _writer;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private BlockedCommand(Process process, string fifo, Task<FileStream> writer)
    {
        Process = process;
        _fifo = fifo;
        _writer = writer;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public Process Process { get; }

    public string Output => _stdout.IsCompleted && _stderr.IsCompleted ? $"stdout:\n{_stdout.Result}\nstderr:\n{_stderr.Result}" : "(still running)";

    public string Stderr => _stderr.Result;

    public static BlockedCommand Start(string workDir)
    {
        var fifo = Path.Combine(workDir, "accounts.csv");
        Assert.Equal(0, OsUser.Exec("mkfifo", [fifo]).Exit);
        var process = BillingProcess.Start(workDir, "accounts", "import", fifo);

        // Opening a FIFO for writing returns once a reader has opened it: the command is then past Runtime.Start.
        var writer = Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write));
        var command = new BlockedCommand(process, fifo, writer);
        Wait.Until(() => writer.IsCompleted || process.HasExited, "billing accounts import to open its input");
        if (!writer.IsCompleted)
        {
            process.WaitForExit();
            var exit = process.ExitCode;
            var output = command.Output;
            command.Dispose();
            throw new InvalidOperationException($"billing accounts import ended (exit {exit}) before reading its input\n{output}");
        }

        writer.Result.Write("account_id,name\n"u8);
        writer.Result.Flush();
        return command;
    }

    public int WaitForExit()
    {
        Assert.True(Process.WaitForExit(TimeSpan.FromMinutes(2)), "billing accounts import to end");
        Process.WaitForExit();
        return Process.ExitCode;
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        if (!_writer.IsCompleted)
        {
            // Still blocked in open(): a reader of our own lets it return.
            using var reader = new FileStream(_fifo, FileMode.Open, FileAccess.Read);
            _writer.Wait();
        }

        _writer.Result.Dispose();
        Process.Dispose();
    }
}
