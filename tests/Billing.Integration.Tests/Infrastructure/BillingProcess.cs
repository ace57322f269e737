using System.Diagnostics;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>Runs the built `billing` command (billing.dll beside the tests) as a child process.</summary>
public static class BillingProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "billing.dll");

    /// <summary>
    /// The runtime settings every `billing` a test starts runs with: tiered compilation on. The program ships with it off
    /// (Billing.Cli.csproj: a long batch run gains from compiling hot loops fully optimised at once), which makes each
    /// start compile every method it meets fully optimised — about a second of CPU for a command that does little, and
    /// the suite starts some hundreds. The code and its results are the same either way; only how soon it is compiled
    /// differs. `./billing` (WrapperTests) still runs the program as shipped.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Runtime { get; } = new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "1" };

    /// <summary>Sets <see cref="Runtime"/> on a start of `billing`.</summary>
    public static void UseRuntime(IDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var (name, value) in Runtime)
        {
            environment[name] = value;
        }
    }

    public static Process Start(string workingDirectory, params string[] args) => Start(null, workingDirectory, args);

    /// <summary>
    /// What <see cref="Start(IReadOnlyDictionary{string, string}?, string, string[])"/> runs dotnet through: SIGINT put back
    /// to its default, as a terminal gives it. A test run started in the background of a script (<c>dotnet test … &amp;</c>,
    /// no job control) has SIGINT ignored, and so has every process it starts; .NET keeps an ignored SIGINT ignored (it
    /// installs no handler, as a background job expects), so billing would never see the SIGINT a test sends it.
    /// env execs dotnet: the process id stays billing's.
    /// </summary>
    public static IReadOnlyList<string> SignalsAsFromATerminal { get; } = ["env", "--default-signal=INT"];

    /// <summary>Starts billing with extra environment variables (e.g. TMPDIR).</summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(SignalsAsFromATerminal[0])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])[.. SignalsAsFromATerminal.Skip(1), "dotnet", Dll, .. args])
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("BILLING_DB");
        psi.Environment.Remove("BILLING_CONFIG");
        UseRuntime(psi.Environment);
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
        UseRuntime(psi.Environment);
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

    public static (int Exit, string Out, string Err) Run(TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, string workingDirectory, params string[] args)
    {
        var withRuntime = new Dictionary<string, string>(Runtime);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            withRuntime[name] = value;
        }

        return ProgramRun.Run("dotnet", [Dll, .. args], workingDirectory, timeout, withRuntime);
    }
}
