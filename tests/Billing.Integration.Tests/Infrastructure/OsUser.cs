using System.Diagnostics;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>A test that needs root: it creates a throwaway OS user. Skipped, saying so, otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root: it creates a throwaway OS user (useradd) to act as a second local user; run the tests as root (CI does) to include it";
        }
    }
}

/// <summary>A throwaway OS user (no home, no login shell), deleted when disposed. Needs root.</summary>
public sealed class OsUser : IDisposable
{
    private OsUser(string name) => Name = name;

    public string Name { get; }

    public static OsUser Create()
    {
        // Unique per test process and user: other test runs on the machine make their own.
        var name = $"bt{Environment.ProcessId}{Guid.NewGuid().ToString("N")[..6]}";
        var (code, output) = Exec("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name]);
        return code == 0 ? new OsUser(name) : throw new InvalidOperationException($"useradd {name} failed (exit {code}): {output}");
    }

    /// <summary>Runs a program as this user (runuser), in <paramref name="workingDirectory"/>.</summary>
    public (int Exit, string Output) Run(string workingDirectory, string file, params string[] args) =>
        Exec("runuser", ["-u", Name, "--", file, .. args], workingDirectory);

    public void Dispose() => Exec("userdel", [Name]);

    public static (int Exit, string Output) Exec(string file, IReadOnlyList<string> args, string workingDirectory = "/", IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 3 minutes");
        }

        return (p.ExitCode, (stdout.Result + stderr.Result).Trim());
    }
}
