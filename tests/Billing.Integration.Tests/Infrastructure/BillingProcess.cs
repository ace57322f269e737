using System.Diagnostics;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>Runs the built `billing` command (billing.dll beside the tests) as a child process.</summary>
public static class BillingProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "billing.dll");

    public static Process Start(string workingDirectory, params string[] args) => Start(null, workingDirectory, args);

    /// <summary>Starts billing with extra environment variables (e.g. TMPDIR).</summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Dll);
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

        return Process.Start(psi) ?? throw new InvalidOperationException("cannot start billing");
    }

    /// <summary>Runs billing with <paramref name="input"/> on its standard input (then closed).</summary>
    public static (int Exit, string Out, string Err) RunWithInput(string input, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])[Dll, .. args])
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("BILLING_DB");
        psi.Environment.Remove("BILLING_CONFIG");
        psi.Environment.Remove("BILLING_PASSWORD");
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start billing");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(input);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"billing {string.Join(' ', args)} did not finish in 3 minutes");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static (int Exit, string Out, string Err) Run(string workingDirectory, params string[] args) =>
        Run(TimeSpan.FromMinutes(3), workingDirectory, args);

    /// <summary>Runs billing and waits at most <paramref name="timeout"/>: a run that stalls is killed and fails the test.</summary>
    public static (int Exit, string Out, string Err) Run(TimeSpan timeout, string workingDirectory, params string[] args) =>
        Run(timeout, null, workingDirectory, args);

    public static (int Exit, string Out, string Err) Run(TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, string workingDirectory, params string[] args) =>
        ProgramRun.Run("dotnet", [Dll, .. args], workingDirectory, timeout, environment);
}
