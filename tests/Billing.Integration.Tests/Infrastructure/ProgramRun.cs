using System.Diagnostics;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>Runs any program (a script, pg_dump) to its end with its output captured; one that stalls is killed and fails the test.</summary>
public static class ProgramRun
{
    public static (int Exit, string Out, string Err) Run(string file, IReadOnlyList<string> args, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
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

        psi.Environment.Remove("BILLING_DB");
        psi.Environment.Remove("BILLING_CONFIG");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout.TotalMinutes:F0} minute(s)");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
